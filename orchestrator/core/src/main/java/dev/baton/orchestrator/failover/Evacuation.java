package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.switchover.StepListener;
import dev.baton.orchestrator.switchover.SwitchoverAbandoned;
import dev.baton.orchestrator.switchover.SwitchoverEngine;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import dev.baton.orchestrator.traffic.CheckoutDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.orchestrator.traffic.CheckoutVerifier;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * One failover being run: walks {@link FailoverStep#IN_ORDER}, writing the failover to ZooKeeper
 * and announcing each step before and after it. A failure before any shard switched undoes the
 * steps done (the failed one included: a drain can fail half-way) in reverse and ends ROLLED_BACK;
 * after that, nothing is undone and the failover ends FAILED with the reason.
 */
final class Evacuation {
    private static final Logger LOG = LoggerFactory.getLogger(Evacuation.class);
    /**
     * Above what the checkout app may take for one order on its own: its retry budget (2 s) plus one
     * attempt's socket timeout (3 s). A slower answer is a failed verification, not a slow one.
     */
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(8);

    private final CoordinatorConfig config;
    private final SwitchoverOptions options;
    private final Planner planner;
    private final FailoverStore store;
    private final EventHub events;
    private final FailoverMetrics metrics;
    private final Supplier<HealthSnapshot> health;
    private final BooleanSupplier leading;
    private final CheckoutDns dns;
    private final CheckoutDrain drain;
    private final CheckoutVerifier verifier;
    private final Map<String, ShardProgress> progress = new ConcurrentHashMap<>();
    private volatile Failover failover;

    Evacuation(Failover failover, CoordinatorConfig config, SwitchoverOptions options, Planner planner, FailoverStore store,
               EventHub events, FailoverMetrics metrics, Supplier<HealthSnapshot> health, BooleanSupplier leading) {
        this.failover = failover;
        this.config = config;
        this.options = options;
        this.planner = planner;
        this.store = store;
        this.events = events;
        this.metrics = metrics;
        this.health = health;
        this.leading = leading;
        this.dns = new CheckoutDns(config.topology().dns());
        this.drain = new CheckoutDrain(config.topology());
        this.verifier = new CheckoutVerifier(config.topology(), VERIFY_TIMEOUT);
        failover.shards().forEach(s -> progress.put(s.shard(), s));
    }

    /** A new failover's timeline: every step pending. */
    static List<TimelineStep> pendingTimeline() {
        return FailoverStep.IN_ORDER.stream().map(s -> TimelineStep.pending(s.name())).toList();
    }

    /** Runs every step; returns the failover as it ended (already persisted when ZooKeeper allowed). */
    Failover run() {
        List<FailoverStep> done = new ArrayList<>();
        Failover.State state = Failover.State.SUCCEEDED;
        List<String> reasons = new ArrayList<>();
        for (FailoverStep step : FailoverStep.IN_ORDER) {
            if (!leading.getAsBoolean()) {
                // A coordinator that lost leadership stops acting and writes nothing more: the record stays
                // RUNNING for the new leader's Takeover.
                throw new SwitchoverAbandoned("this coordinator lost leadership before step " + step.name());
            }
            begin(step);
            try {
                List<String> changes = step.run(this);
                end(step, TimelineStep.State.DONE, changes, "");
                done.add(step);
                if (step instanceof FailoverStep.SwitchShards) {
                    List<String> failedShards = shardFailures();
                    if (!failedShards.isEmpty()) {
                        state = Failover.State.FAILED;
                        reasons.add(String.join("; ", failedShards));
                    }
                }
            } catch (SwitchoverAbandoned e) {
                throw e;
            } catch (RuntimeException e) {
                String why = step.name() + " failed: " + message(e);
                LOG.error("failover {}: {}", failover.id(), why, e);
                end(step, TimelineStep.State.FAILED, List.of(), message(e));
                reasons.add(why);
                if (anyShardSwitched()) {
                    state = Failover.State.FAILED;
                    if (step instanceof FailoverStep.Verify) {
                        events.publish("failover.verify-failed", failover.id(), "", step.name(), "failover " + failover.id()
                                + ": VERIFICATION FAILED at " + failover.request().to() + ", the shards stay switched: " + message(e));
                    }
                    continue;
                }
                done.add(step);
                state = rollBack(done.reversed(), reasons) ? Failover.State.ROLLED_BACK : Failover.State.FAILED;
                skipRest(step, "not run: " + step.name() + " failed");
                break;
            }
        }
        List<String> order = failover.plan().shards().stream().map(ShardPlan::shard).toList();
        Failover finished = failover.finish(state, String.join("; ", reasons), order.stream().map(progress::get).toList());
        failover = finished;
        try {
            store.update(finished);
        } catch (RuntimeException e) {
            LOG.error("failover {} finished {} but its state could not be written to ZooKeeper", finished.id(), state, e);
        }
        metrics.failoverFinished(finished);
        return finished;
    }

    /** Undoes {@code steps} (newest first); false when one could not be undone, which {@code reasons} then names. */
    private boolean rollBack(List<FailoverStep> steps, List<String> reasons) {
        boolean complete = true;
        for (FailoverStep step : steps) {
            try {
                List<String> restored = step.undo(this);
                if (!restored.isEmpty()) {
                    update(failover.withStep(failover.step(step.name()).undone(restored)));
                    events.publish("failover.rollback", failover.id(), "", step.name(), "failover " + failover.id()
                            + ": rolled back " + step.name() + ": " + String.join("; ", restored));
                }
            } catch (RuntimeException e) {
                complete = false;
                reasons.add("rolling back " + step.name() + " failed: " + message(e));
                LOG.error("failover {}: rolling back {} failed", failover.id(), step.name(), e);
                events.publish("failover.rollback-failed", failover.id(), "", step.name(), "failover " + failover.id()
                        + ": rolling back " + step.name() + " FAILED: " + message(e));
            }
        }
        return complete;
    }

    private void begin(FailoverStep step) {
        update(failover.withStep(failover.step(step.name()).started(Instant.now())));
        events.publish("failover.step.started", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name() + " started");
    }

    private void end(FailoverStep step, TimelineStep.State state, List<String> changes, String error) {
        TimelineStep ended = failover.step(step.name()).ended(state, Instant.now(), changes, error);
        update(failover.withStep(ended));
        String took = String.format(Locale.ROOT, " in %.1f ms", ended.durationMs());
        if (state == TimelineStep.State.DONE) {
            events.publish("failover.step.finished", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name()
                    + " done" + took + (changes.isEmpty() ? "" : ": " + String.join("; ", changes)));
        } else {
            events.publish("failover.step.failed", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name()
                    + " FAILED" + took + ": " + error);
        }
    }

    private void skipRest(FailoverStep from, String why) {
        boolean after = false;
        for (FailoverStep step : FailoverStep.IN_ORDER) {
            if (after) failover = failover.withStep(failover.step(step.name()).skipped(why));
            after |= step.equals(from);
        }
    }

    /**
     * Writes the failover (not its shards) before going on: a new leader must find every step's
     * start and end. Only the runner thread calls it.
     */
    private void update(Failover next) {
        failover = next;
        try {
            store.update(next);
        } catch (RuntimeException e) {
            LOG.error("{}", e.getMessage());
            events.publish("failover.persist-failed", next.id(), "", "", e.getMessage());
        }
    }

    // What the steps use.

    Failover failover() {
        return failover;
    }

    /** The failover with its shards' progress so far (kept apart while they switch, as each shard persists its own). */
    Failover snapshot() {
        return failover.withShards(failover.plan().shards().stream().map(s -> progress.get(s.shard())).toList());
    }

    Datacenter target() {
        return planner.datacenter(failover.request().to(), "to");
    }

    DcHealth targetHealth() {
        return health.get().dc(failover.request().to());
    }

    FailoverPlan replan() {
        return planner.plan(failover.request().from(), failover.request().to());
    }

    CheckoutDns dns() {
        return dns;
    }

    CheckoutDrain drain() {
        return drain;
    }

    CheckoutVerifier verifier() {
        return verifier;
    }

    void recordTraffic(UnaryOperator<TrafficOutcome> change) {
        update(failover.withTraffic(change));
    }

    void announce(String summary) {
        events.publish("failover.report", failover.id(), "", "report", summary);
    }

    /** The planned shards through the engine in parallel; each shard's progress persisted after every one of its steps. */
    List<ShardProgress> switchShards() {
        String id = failover.id();
        StepListener listener = (shard, step) -> {
            // The options' own listener first (a test hook may hold the switchover here), then no further step without leadership.
            options.listener().stepDone(shard, step);
            if (!leading.getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads");
            ShardProgress now = progress.compute(shard, (k, p) -> p.withStep(new StepRecord(step, null, Instant.now(), null)));
            persist(id, now);
            events.publish("failover.step", id, shard, step, shard + ": " + step + " done");
        };
        Set<String> planned = failover.plan().shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
        Topology topology = config.topology();
        List<Shard> shards = topology.shards().stream().filter(s -> planned.contains(s.name())).toList();
        Topology only = new Topology(topology.name(), topology.datacenters(), shards, topology.dns(), topology.zookeeper(),
                topology.credentials());
        List<SwitchoverResult> results = new SwitchoverEngine(only, options.withListener(listener)).switchoverAll(failover.request().to());
        if (!leading.getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads after every shard ended");
        for (SwitchoverResult r : results) {
            ShardProgress done = finished(progress.get(r.shard()), r);
            progress.put(r.shard(), done);
            persist(id, done);
            metrics.shardFinished(r);
            events.publish("failover.shard", id, r.shard(), "", r.shard() + " " + r.outcome() + " from " + r.fromServer()
                    + " to " + r.toServer() + " (write pause " + Math.round(r.writePauseMs()) + " ms)"
                    + (r.reason().isBlank() ? "" : ": " + r.reason()));
        }
        progress.replaceAll((shard, p) -> p.finished() ? p : new ShardProgress(shard, ShardProgress.State.REFUSED, p.steps(),
                "its primary was already in " + failover.request().to(), null, null));
        return failover.plan().shards().stream().map(s -> progress.get(s.shard())).toList();
    }

    private List<String> shardFailures() {
        return progress.values().stream().filter(p -> p.state() != ShardProgress.State.SWITCHED)
                .map(p -> p.shard() + " " + p.state() + ": " + p.reason()).sorted().toList();
    }

    private boolean anyShardSwitched() {
        return progress.values().stream().anyMatch(p -> p.state() == ShardProgress.State.SWITCHED);
    }

    private static ShardProgress finished(ShardProgress before, SwitchoverResult r) {
        ShardProgress.State state = switch (r.outcome()) {
            case SWITCHED -> ShardProgress.State.SWITCHED;
            case ROLLED_BACK -> ShardProgress.State.ROLLED_BACK;
            case REFUSED -> ShardProgress.State.REFUSED;
        };
        // The engine's own timings replace the step names collected while it ran. Its offsets count from the
        // shard's start; the listener hears of each step only after it ended, so each step's wall-clock time
        // bounds that start from above, and the tightest bound is the anchor.
        Instant shardStart = r.steps().stream().flatMap(t -> doneAt(before, t.name())
                        .map(end -> end.minusNanos(nanos(t.startOffsetMs() + t.durationMs()))).stream())
                .min(Comparator.naturalOrder()).orElse(null);
        List<StepRecord> steps = r.steps().stream().map(t -> shardStart == null
                ? new StepRecord(t.name(), null, null, t.durationMs())
                : new StepRecord(t.name(), shardStart.plusNanos(nanos(t.startOffsetMs())),
                shardStart.plusNanos(nanos(t.startOffsetMs() + t.durationMs())), t.durationMs())).toList();
        return new ShardProgress(r.shard(), state, steps, r.reason(), r.writePauseMs(), r.wallMs());
    }

    private static long nanos(double ms) {
        return Math.round(ms * 1_000_000);
    }

    private static Optional<Instant> doneAt(ShardProgress progress, String step) {
        return progress.steps().stream().filter(s -> s.name().equals(step)).map(StepRecord::doneAt).findFirst();
    }

    /** A step already happened on the servers; failing to record it must not break the switchover half-way. */
    private void persist(String id, ShardProgress shard) {
        store.updateShard(id, shard, problem -> {
            LOG.error("{}", problem);
            events.publish("failover.persist-failed", id, shard.shard(), "", problem);
        });
    }

    private static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
