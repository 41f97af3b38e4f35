package dev.baton.orchestrator.failover;

import java.time.Instant;
import java.util.List;

/**
 * A failover as it is stored and shown.
 *
 * @param requestedBy the API user who asked
 * @param coordinator the coordinator that ran it
 * @param finished    null while it runs
 * @param reason      why it failed; empty otherwise
 */
public record Failover(String id, FailoverRequest request, String requestedBy, String coordinator, State state,
                       Instant created, Instant finished, FailoverPlan plan, List<ShardProgress> shards, String reason) {

    public enum State { RUNNING, SUCCEEDED, FAILED }

    public Failover {
        shards = List.copyOf(shards);
    }

    Failover withShards(List<ShardProgress> shards) {
        return new Failover(id, request, requestedBy, coordinator, state, created, finished, plan, shards, reason);
    }

    Failover finish(State state, String reason, List<ShardProgress> shards) {
        return new Failover(id, request, requestedBy, coordinator, state, created, Instant.now(), plan, shards, reason);
    }
}
