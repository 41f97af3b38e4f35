package dev.baton.orchestrator.failover;

import dev.baton.runbooks.plan.Plan;

import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A failover as it is stored and shown.
 *
 * @param requestedBy the API user who asked
 * @param coordinator the coordinator that ran it
 * @param finished    null while it runs
 * @param runbook     the runbook's plan this failover runs, resolved when it was accepted: a new leader
 *                    resumes from it, never from the runbook's YAML
 * @param runbookSha256 of the runbook file's bytes it was planned from, as the catalog lists it: what ties
 *                    this failover to a reviewed commit; null for failovers from before it was kept
 * @param timeline    one entry per step of {@code runbook}, in its order
 * @param traffic     what it did to DNS and the load balancers, and the verification checkouts
 * @param reason      why it failed or rolled back; empty otherwise
 */
public record Failover(String id, FailoverRequest request, String requestedBy, String coordinator, State state,
                       Instant created, Instant finished, Plan runbook, String runbookSha256, FailoverPlan plan, List<TimelineStep> timeline,
                       TrafficOutcome traffic, List<ShardProgress> shards, String reason) {

    /** ROLLED_BACK: it failed before any shard switched and everything it changed was put back. */
    public enum State { RUNNING, SUCCEEDED, FAILED, ROLLED_BACK }

    public Failover {
        // Failovers persisted before the timeline existed have none.
        timeline = timeline == null ? List.of() : List.copyOf(timeline);
        shards = List.copyOf(shards);
    }

    Failover withShards(List<ShardProgress> shards) {
        return new Failover(id, request, requestedBy, coordinator, state, created, finished, runbook, runbookSha256, plan, timeline, traffic, shards, reason);
    }

    Failover withStep(TimelineStep step) {
        List<TimelineStep> steps = timeline.stream().map(s -> s.name().equals(step.name()) ? step : s).toList();
        return new Failover(id, request, requestedBy, coordinator, state, created, finished, runbook, runbookSha256, plan, steps, traffic, shards, reason);
    }

    Failover withTraffic(UnaryOperator<TrafficOutcome> change) {
        return new Failover(id, request, requestedBy, coordinator, state, created, finished, runbook, runbookSha256, plan, timeline,
                change.apply(traffic), shards, reason);
    }

    Failover finish(State state, String reason, List<ShardProgress> shards) {
        return new Failover(id, request, requestedBy, coordinator, state, created, Instant.now(), runbook, runbookSha256, plan, timeline, traffic, shards, reason);
    }

    public TimelineStep step(String name) {
        return timeline.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("failover " + id + " has no step '" + name + "'"));
    }
}
