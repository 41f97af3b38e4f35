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
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One failover being run: walks {@link FailoverStep#IN_ORDER}, writing the failover to ZooKeeper
 * and announcing each step before and after it. A failure or an abort before any shard switched
 * undoes the steps done (the failed one included: a drain can fail half-way) in reverse and ends
 * ROLLED_BACK; after that, nothing is undone and the failover ends FAILED with the reason.
 * <p>
 * The same run finishes a failover a lost leader left RUNNING ({@link #takeover}): the steps its
 * timeline shows DONE are not run again, and the shards it may have touched are reconciled first,
 * the servers being the truth. With some shard switched the failover is past its point of no
 * return and rolls forward through the remaining steps (switch-shards again switches the shards the
 * reconcile put back); with none, the steps it started are undone and it ends ROLLED_BACK.
 */
final class Evacuation {
    private static final Logger LOG = LoggerFactory.getLogger(Evacuation.class);
    /**
     * Above what the checkout app may take for one order on its own: its retry budget (2 s) plus one
     * attempt's socket timeout (3 s). A slower answer is a failed verification, not a slow one.
     */
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(8);
    private static final FailoverStep PRECHECK = new FailoverStep.Precheck();
    private static final FailoverStep SWITCH_SHARDS = new FailoverStep.SwitchShards();

    /**
     * What every failover of one coordinator runs with.
     *
     * @param leading   false once this coordinator no longer leads: then it stops acting at once
     * @param afterStep told the name of each failover step that ended DONE; a test hook (hold a failover between steps)
     */
    record Context(CoordinatorConfig config, SwitchoverOptions options, Planner planner, FailoverStore store, EventHub events,
                   FailoverMetrics metrics, Supplier<HealthSnapshot> health, BooleanSupplier leading, Consumer<String> afterStep) {
    }

    private final Context context;
    private final CoordinatorConfig config;
    private final SwitchoverOptions options;
    private final FailoverStore store;
    private final EventHub events;
    /** The coordinator finishing a failover a lost leader left; null for a failover run from its start. */
    private final String takenOverBy;
    private final CheckoutDns dns;
    private final CheckoutDrain drain;
    private final CheckoutVerifier verifier;
    private final Map<String, ShardProgress> progress = new ConcurrentHashMap<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Failover failover;
    // An abort is taken only before switch-shards starts; the gate makes "abort" and "start switching" exclude each other.
    private final Object gate = new Object();
    private String abortedBecause;
    private String notAbortable;

    private Evacuation(Failover failover, Context context, String takenOverBy) {
        this.failover = failover;
        this.context = context;
        this.config = context.config();
        this.options = context.options();
        this.store = context.store();
        this.events = context.events();
        this.takenOverBy = takenOverBy;
        this.dns = new CheckoutDns(config.topology().dns());
        this.drain = new CheckoutDrain(config.topology());
        this.verifier = new CheckoutVerifier(config.topology(), VERIFY_TIMEOUT);
        failover.shards().forEach(s -> progress.put(s.shard(), s));
    }

    /** A new failover, run from its first step. */
    static Evacuation start(Failover failover, Context context) {
        return new Evacuation(failover, context, null);
    }

    /** A failover that a lost leader left RUNNING, finished by coordinator {@code self}. */
    static Evacuation takeover(Failover failover, Context context, String self) {
        return new Evacuation(failover, context, self);
    }

    /** A new failover's timeline: every step pending. */
    static List<TimelineStep> pendingTimeline() {
        return FailoverStep.IN_ORDER.stream().map(s -> TimelineStep.pending(s.name())).toList();
    }

    String id() {
        return failover.id();
    }

    /**
     * Asks the run to stop before its next step and undo the traffic steps done.
     *
     * @return empty when taken; otherwise why it cannot be aborted
     */
    Optional<String> abort(String because) {
        synchronized (gate) {
            if (notAbortable != null) return Optional.of(notAbortable);
            if (abortedBecause == null) abortedBecause = because;
            return Optional.empty();
        }
    }

    /** Waits up to {@code timeout} for the run to end (or be abandoned); true when it did. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs the steps left; returns the failover as it ended (already persisted when ZooKeeper allowed). */
    Failover run() {
        try {
            return runSteps();
        } finally {
            ended.countDown();
        }
    }

    private Failover runSteps() {
        // On a takeover, what the lost leader finished; those steps are not run again.
        List<FailoverStep> done = new ArrayList<>(FailoverStep.IN_ORDER.stream()
                .filter(s -> failover.step(s.name()).state() == TimelineStep.State.DONE).toList());
        List<String> reasons = new ArrayList<>();
        if (takenOverBy != null) {
            Optional<Failover.State> rolledBack = resume(reasons);
            if (rolledBack.isPresent()) return finish(rolledBack.get(), reasons);
        }
        Failover.State state = Failover.State.SUCCEEDED;
        for (FailoverStep step : FailoverStep.IN_ORDER) {
            if (done.contains(step)) continue;
            if (!context.leading().getAsBoolean()) {
                // A coordinator that lost leadership stops acting and writes nothing more: the record stays
                // RUNNING for the new leader's Takeover.
                throw new SwitchoverAbandoned("this coordinator lost leadership before step " + step.name());
            }
            Optional<String> aborted = enter(step);
            if (aborted.isPresent()) {
                reasons.add(aborted.get());
                events.publish("failover.aborting", failover.id(), "", step.name(), "failover " + failover.id() + " stops before "
                        + step.name() + " and undoes what it changed: " + aborted.get());
                state = rollBack(done.reversed(), reasons, " on abort") ? Failover.State.ROLLED_BACK : Failover.State.FAILED;
                skip(step, "not run: " + aborted.get());
                break;
            }
            begin(step);
            try {
                List<String> changes = step.run(this);
                end(step, TimelineStep.State.DONE, changes, "");
                done.add(step);
                context.afterStep().accept(step.name());
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
                state = rollBack(done.reversed(), reasons, "") ? Failover.State.ROLLED_BACK : Failover.State.FAILED;
                skip(next(step), "not run: " + step.name() + " failed");
                break;
            }
        }
        List<String> failedShards = shardFailures();
        if (failover.step(SWITCH_SHARDS.name()).state() == TimelineStep.State.DONE && !failedShards.isEmpty()) {
            state = Failover.State.FAILED;
            reasons.addFirst(String.join("; ", failedShards));
        }
        return finish(state, reasons);
    }

    /**
     * A takeover's first part: announces it, reconciles the shards the lost leader may have touched
     * and, when none ended switched, undoes every step it started.
     *
     * @return the end state when it rolled back; empty when the failover rolls forward
     */
    private Optional<Failover.State> resume(List<String> reasons) {
        List<TimelineStep> started = failover.timeline().stream().filter(s -> s.state() != TimelineStep.State.PENDING
                && s.state() != TimelineStep.State.SKIPPED).toList();
        Optional<TimelineStep> interrupted = started.stream().filter(s -> s.state() == TimelineStep.State.RUNNING).findFirst();
        String lost = "coordinator " + failover.coordinator() + " was lost "
                + interrupted.map(s -> "during " + s.name()).orElse(started.isEmpty() ? "before its first step" : "after " + started.getLast().name());
        String by = "coordinator " + takenOverBy;
        synchronized (gate) {
            notAbortable = "failover " + failover.id() + " is being taken over by " + by + " (" + lost + "); it rolls forward or back on its own";
        }
        events.publish("failover.takeover", failover.id(), "", "", by + " takes over failover " + failover.id() + " from "
                + failover.request().from() + " to " + failover.request().to() + ": " + lost + "; shards: "
                + failover.plan().shards().stream().map(s -> progress.get(s.shard()))
                .map(p -> p.shard() + " " + p.state() + (p.steps().isEmpty() ? "" : " after " + p.steps().getLast().name()))
                .collect(Collectors.joining(", ")));
        LOG.warn("{} takes over failover {}: {}", by, failover.id(), lost);
        reconcileShards();
        if (!context.leading().getAsBoolean()) throw new SwitchoverAbandoned(by + " no longer leads after reconciling the shards");
        if (anyShardSwitched()) {
            events.publish("failover.takeover", failover.id(), "", "", "failover " + failover.id() + " is past its point of no return"
                    + " (a shard switched): " + by + " rolls it forward");
            return Optional.empty();
        }
        interrupted.ifPresent(s -> end(step(s.name()), TimelineStep.State.FAILED, List.of(), lost));
        boolean changedNothing = started.stream().allMatch(s -> s.name().equals(PRECHECK.name()));
        reasons.add(lost + (changedNothing ? ", before anything changed" : "") + "; no shard switched, so " + by + " rolled it back");
        List<FailoverStep> undo = FailoverStep.IN_ORDER.stream().filter(s -> failover.step(s.name()).state() == TimelineStep.State.DONE
                || failover.step(s.name()).state() == TimelineStep.State.FAILED).toList();
        boolean complete = rollBack(undo.reversed(), reasons, " by the takeover of " + by);
        FailoverStep.IN_ORDER.stream().filter(s -> failover.step(s.name()).state() == TimelineStep.State.PENDING).findFirst()
                .ifPresent(first -> skip(first, "not run: " + lost + " and " + by + " rolled it back"));
        return Optional.of(complete ? Failover.State.ROLLED_BACK : Failover.State.FAILED);
    }

    /**
     * Brings each shard the lost leader may have left half-switched to a safe end. Once switch-shards
     * started, that is every shard not finished; before, only one with a step recorded (none, normally).
     */
    private void reconcileShards() {
        boolean switching = failover.step(SWITCH_SHARDS.name()).state() != TimelineStep.State.PENDING;
        Map<String, Optional<String>> hints = new LinkedHashMap<>();
        failover.plan().shards().stream().map(s -> progress.get(s.shard()))
                .filter(p -> !p.finished() && (switching || !p.steps().isEmpty()))
                .forEach(p -> hints.put(p.shard(), p.steps().isEmpty() ? Optional.empty() : Optional.of(p.steps().getLast().name())));
        if (hints.isEmpty()) return;
        for (SwitchoverResult r : new SwitchoverEngine(planned(), options).reconcileAll(failover.request().to(), hints)) {
            // The reconcile's own steps follow the lost leader's; its write pause is unknown (the lost leader's share is).
            ShardProgress before = progress.get(r.shard());
            List<StepRecord> steps = new ArrayList<>(before.steps());
            r.steps().forEach(t -> steps.add(new StepRecord("reconcile " + t.name(), null, null, t.durationMs())));
            ShardProgress reconciled = new ShardProgress(r.shard(), state(r), steps, r.reason(), null, r.wallMs());
            progress.put(r.shard(), reconciled);
            persist(failover.id(), reconciled, () -> events.publish("failover.shard", failover.id(), r.shard(), "", r.shard() + " "
                    + r.outcome() + " by the reconcile of coordinator " + takenOverBy + (r.reason().isBlank() ? "" : ": " + r.reason())));
        }
    }

    /** Whether an abort came in; otherwise, from switch-shards on, none can. */
    private Optional<String> enter(FailoverStep step) {
        synchronized (gate) {
            if (abortedBecause != null) return Optional.of(abortedBecause);
            if (step instanceof FailoverStep.SwitchShards && notAbortable == null) {
                notAbortable = "failover " + failover.id() + " is past its point of no return: switch-shards has started, and each"
                        + " shard finishes or rolls back on its own within seconds";
            }
            return Optional.empty();
        }
    }

    private Failover finish(Failover.State state, List<String> reasons) {
        List<String> order = failover.plan().shards().stream().map(ShardPlan::shard).toList();
        Failover finished = failover.finish(state, String.join("; ", reasons), order.stream().map(progress::get).toList());
        failover = finished;
        try {
            store.update(finished);
        } catch (RuntimeException e) {
            LOG.error("failover {} finished {} but its state could not be written to ZooKeeper", finished.id(), state, e);
        }
        context.metrics().failoverFinished(finished);
        return finished;
    }

    /**
     * Undoes {@code steps} (newest first); false when one could not be undone, which {@code reasons} then names.
     *
     * @param how said after "rolled back" in the timeline and the events
     */
    private boolean rollBack(List<FailoverStep> steps, List<String> reasons, String how) {
        boolean complete = true;
        for (FailoverStep step : steps) {
            try {
                List<String> restored = step.undo(this);
                if (!restored.isEmpty()) {
                    update(failover.withStep(failover.step(step.name()).undone(how, restored)));
                    events.publish("failover.rollback", failover.id(), "", step.name(), "failover " + failover.id()
                            + ": rolled back " + step.name() + how + ": " + String.join("; ", restored));
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
        events.publish("failover.step.started", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name() + " started"
                + (takenOverBy == null ? "" : " by the takeover of coordinator " + takenOverBy));
    }

    private void end(FailoverStep step, TimelineStep.State state, List<String> changes, String error) {
        // A step run by a takeover says so, first thing.
        List<String> lines = takenOverBy == null || state != TimelineStep.State.DONE ? changes
                : Stream.concat(Stream.of("run by the takeover of coordinator " + takenOverBy), changes.stream()).toList();
        TimelineStep ended = failover.step(step.name()).ended(state, Instant.now(), lines, error);
        update(failover.withStep(ended));
        String took = ended.durationMs() == null ? "" : String.format(Locale.ROOT, " in %.1f ms", ended.durationMs());
        if (state == TimelineStep.State.DONE) {
            events.publish("failover.step.finished", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name()
                    + " done" + took + (lines.isEmpty() ? "" : ": " + String.join("; ", lines)));
        } else {
            events.publish("failover.step.failed", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name()
                    + " FAILED" + took + ": " + error);
        }
    }

    /** Marks {@code first} and every step after it SKIPPED. */
    private void skip(FailoverStep first, String why) {
        boolean from = false;
        for (FailoverStep step : FailoverStep.IN_ORDER) {
            from |= step.equals(first);
            if (from) failover = failover.withStep(failover.step(step.name()).skipped(why));
        }
    }

    private static FailoverStep next(FailoverStep step) {
        int i = FailoverStep.IN_ORDER.indexOf(step);
        return i + 1 < FailoverStep.IN_ORDER.size() ? FailoverStep.IN_ORDER.get(i + 1) : null;
    }

    private static FailoverStep step(String name) {
        return FailoverStep.IN_ORDER.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
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
        return context.planner().datacenter(failover.request().to(), "to");
    }

    DcHealth targetHealth() {
        return context.health().get().dc(failover.request().to());
    }

    FailoverPlan replan() {
        return context.planner().plan(failover.request().from(), failover.request().to());
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

    /**
     * The planned shards through the engine in parallel; each shard's progress persisted after every
     * one of its steps. A shard already in the target DC (switched before a takeover) is left as it is.
     */
    List<ShardProgress> switchShards() {
        String id = failover.id();
        // On a takeover a shard may already show the lost leader's and the reconcile's steps: they stay, this run's follow.
        Map<String, Integer> earlier = new ConcurrentHashMap<>();
        progress.forEach((shard, p) -> earlier.put(shard, p.steps().size()));
        StepListener listener = (shard, step) -> {
            // The options' own listener first (a test hook may hold the switchover here), then no further step without leadership.
            options.listener().stepDone(shard, step);
            if (!context.leading().getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads");
            ShardProgress now = progress.compute(shard, (k, p) -> p.withStep(new StepRecord(step, null, Instant.now(), null)));
            // Announced once saved: whoever hears of a step (a bench killing this leader at it) finds it in ZooKeeper.
            persist(id, now, () -> events.publish("failover.step", id, shard, step, shard + ": " + step + " done"));
        };
        List<SwitchoverResult> results = new SwitchoverEngine(planned(), options.withListener(listener)).switchoverAll(failover.request().to());
        if (!context.leading().getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads after every shard ended");
        for (SwitchoverResult r : results) {
            ShardProgress done = finished(progress.get(r.shard()), earlier.get(r.shard()), r);
            progress.put(r.shard(), done);
            context.metrics().shardFinished(r);
            persist(id, done, () -> events.publish("failover.shard", id, r.shard(), "", r.shard() + " " + r.outcome() + " from "
                    + r.fromServer() + " to " + r.toServer() + " (write pause " + Math.round(r.writePauseMs()) + " ms)"
                    + (r.reason().isBlank() ? "" : ": " + r.reason())));
        }
        progress.replaceAll((shard, p) -> p.finished() ? p : new ShardProgress(shard, ShardProgress.State.REFUSED, p.steps(),
                "its primary was already in " + failover.request().to(), null, null));
        return failover.plan().shards().stream().map(s -> progress.get(s.shard())).toList();
    }

    /** The topology with only the failover's planned shards. */
    private Topology planned() {
        Set<String> planned = failover.plan().shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
        Topology topology = config.topology();
        return new Topology(topology.name(), topology.datacenters(),
                topology.shards().stream().filter(s -> planned.contains(s.name())).toList(), topology.dns(), topology.zookeeper(),
                topology.credentials());
    }

    private List<String> shardFailures() {
        return progress.values().stream().filter(p -> p.state() != ShardProgress.State.SWITCHED)
                .map(p -> p.shard() + " " + p.state() + ": " + p.reason()).sorted().toList();
    }

    private boolean anyShardSwitched() {
        return progress.values().stream().anyMatch(p -> p.state() == ShardProgress.State.SWITCHED);
    }

    private static ShardProgress.State state(SwitchoverResult r) {
        return switch (r.outcome()) {
            case SWITCHED -> ShardProgress.State.SWITCHED;
            case ROLLED_BACK -> ShardProgress.State.ROLLED_BACK;
            case REFUSED -> ShardProgress.State.REFUSED;
        };
    }

    /** @param earlier how many of {@code before}'s steps were recorded before this switchover began */
    private static ShardProgress finished(ShardProgress before, int earlier, SwitchoverResult r) {
        // The engine's own timings replace the step names collected while it ran. Its offsets count from the
        // shard's start; the listener hears of each step only after it ended, so each step's wall-clock time
        // bounds that start from above, and the tightest bound is the anchor.
        List<StepRecord> heard = before.steps().subList(earlier, before.steps().size());
        Instant shardStart = r.steps().stream().flatMap(t -> doneAt(heard, t.name())
                        .map(end -> end.minusNanos(nanos(t.startOffsetMs() + t.durationMs()))).stream())
                .min(Comparator.naturalOrder()).orElse(null);
        List<StepRecord> steps = new ArrayList<>(before.steps().subList(0, earlier));
        r.steps().stream().map(t -> shardStart == null
                ? new StepRecord(t.name(), null, null, t.durationMs())
                : new StepRecord(t.name(), shardStart.plusNanos(nanos(t.startOffsetMs())),
                shardStart.plusNanos(nanos(t.startOffsetMs() + t.durationMs())), t.durationMs())).forEach(steps::add);
        return new ShardProgress(r.shard(), state(r), steps, r.reason(), r.writePauseMs(), r.wallMs());
    }

    private static long nanos(double ms) {
        return Math.round(ms * 1_000_000);
    }

    private static Optional<Instant> doneAt(List<StepRecord> heard, String step) {
        return heard.stream().filter(s -> s.name().equals(step)).map(StepRecord::doneAt).findFirst();
    }

    /** A step already happened on the servers; failing to record it must not break the switchover half-way. */
    private void persist(String id, ShardProgress shard, Runnable announce) {
        store.updateShard(id, shard, announce, problem -> {
            LOG.error("{}", problem);
            events.publish("failover.persist-failed", id, shard.shard(), "", problem);
        });
    }

    private static String message(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
