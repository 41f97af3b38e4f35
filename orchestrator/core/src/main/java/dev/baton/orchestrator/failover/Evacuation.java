package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.switchover.EmergencyPromotion;
import dev.baton.orchestrator.switchover.StepListener;
import dev.baton.orchestrator.switchover.SwitchoverAbandoned;
import dev.baton.orchestrator.switchover.SwitchoverEngine;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.orchestrator.traffic.CheckoutVerifier;
import dev.baton.orchestrator.traffic.DnsDirector;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.runbooks.model.OnFailure;
import dev.baton.runbooks.model.Retry;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlannedStep;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One failover being run: walks its runbook plan's steps in order ({@link FailoverStep#of}), writing
 * the failover to ZooKeeper and announcing each step before and after it. Each step gets its plan's
 * timeout and retries; a step that still fails does what its plan says: {@code rollback} undoes the
 * steps done (the failed one included: a drain can fail half-way) through their plan's undo steps,
 * newest first, and ends ROLLED_BACK; {@code stop} ends FAILED undoing nothing; {@code continue}
 * goes on and ends FAILED. Past the point of no return (a point-of-no-return step done, or a shard
 * switched) a rollback becomes a roll forward: nothing is undone and the next steps run. An abort
 * is taken until the first point-of-no-return step starts, and undoes what was done.
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
    /** How long a step that overran its timeout gets, once interrupted, to stop before the failover goes on without it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

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
    private final DnsDirectors dns;
    private final CheckoutDrain drain;
    /** The runbook plan's steps, in its order. */
    private final List<FailoverStep> steps;
    private final Map<String, ShardProgress> progress = new ConcurrentHashMap<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Failover failover;
    // An abort is taken only before switch-shards starts; the gate makes "abort" and "start switching" exclude each other.
    private final Object gate = new Object();
    private String abortedBecause;
    private String notAbortable;
    /** What the approval gates and wait-until steps wait on; an abort wakes them. */
    private final StepWaits waits = new StepWaits();

    private Evacuation(Failover failover, Context context, String takenOverBy) {
        this.failover = failover;
        this.context = context;
        this.config = context.config();
        this.options = context.options();
        this.store = context.store();
        this.events = context.events();
        this.takenOverBy = takenOverBy;
        this.dns = new DnsDirectors(config.topology().dns());
        this.drain = new CheckoutDrain(config.topology());
        this.steps = failover.runbook().steps().stream().map(FailoverStep::of).toList();
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

    /** A new failover's timeline: every step of its plan pending. */
    static List<TimelineStep> pendingTimeline(Plan plan) {
        return plan.steps().stream().map(s -> TimelineStep.pending(s.id())).toList();
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
            waits.abort(abortedBecause);
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
        List<FailoverStep> done = new ArrayList<>(steps.stream()
                .filter(s -> failover.step(s.name()).state() == TimelineStep.State.DONE).toList());
        List<String> reasons = new ArrayList<>();
        if (takenOverBy != null) {
            Optional<Failover.State> rolledBack = resume(reasons);
            if (rolledBack.isPresent()) return finish(rolledBack.get(), reasons);
        }
        Failover.State state = Failover.State.SUCCEEDED;
        for (FailoverStep step : steps) {
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
                List<String> changes = attempts(step);
                end(step, TimelineStep.State.DONE, changes, "");
                done.add(step);
                context.afterStep().accept(step.name());
            } catch (SwitchoverAbandoned e) {
                throw e;
            } catch (WaitAborted e) {
                // An abort while a step waits: as an abort between steps, the waiting step ended by it.
                end(step, TimelineStep.State.FAILED, List.of(), "stopped waiting: " + e.getMessage());
                reasons.add(e.getMessage());
                events.publish("failover.aborting", failover.id(), "", step.name(), "failover " + failover.id() + " stops waiting at "
                        + step.name() + " and undoes what it changed: " + e.getMessage());
                state = rollBack(done.reversed(), reasons, " on abort") ? Failover.State.ROLLED_BACK : Failover.State.FAILED;
                skip(next(step), "not run: " + e.getMessage());
                break;
            } catch (RuntimeException e) {
                String why = step.name() + " failed: " + message(e);
                LOG.error("failover {}: {}", failover.id(), why, e);
                end(step, TimelineStep.State.FAILED, List.of(), message(e));
                reasons.add(why);
                OnFailure onFailure = step.planned().onFailure();
                if (onFailure == OnFailure.CONTINUE || (onFailure == OnFailure.ROLLBACK && pastNoReturn(done))) {
                    state = Failover.State.FAILED;
                    if (step instanceof FailoverStep.Verify && anyShardSwitched()) {
                        events.publish("failover.verify-failed", failover.id(), "", step.name(), "failover " + failover.id()
                                + ": VERIFICATION FAILED at " + failover.request().to() + ", the shards stay switched: " + message(e));
                    }
                    continue;
                }
                done.add(step);
                // A failover that changed nothing yet ends as if rolled back, whatever its on-failure says.
                boolean changedNothing = done.stream().allMatch(FailoverStep::readOnly);
                if (onFailure == OnFailure.ROLLBACK || changedNothing) {
                    state = rollBack(done.reversed(), reasons, "") ? Failover.State.ROLLED_BACK : Failover.State.FAILED;
                } else {
                    state = Failover.State.FAILED;
                }
                skip(next(step), "not run: " + step.name() + " failed");
                break;
            }
        }
        List<String> failedShards = shardFailures();
        if (shardSteps().anyMatch(s -> failover.step(s.name()).state() == TimelineStep.State.DONE) && !failedShards.isEmpty()) {
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
        Optional<TimelineStep> interrupted = started.stream().filter(s -> s.state() == TimelineStep.State.RUNNING
                || s.state() == TimelineStep.State.WAITING).findFirst();
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
        // An emergency promotion is never undone (its source DC is down) and runs again safely: once started, it rolls forward.
        boolean promoting = started.stream().anyMatch(s -> step(s.name()) instanceof FailoverStep.FlipWriters);
        if (anyShardSwitched() || promoting) {
            events.publish("failover.takeover", failover.id(), "", "", "failover " + failover.id() + " is past its point of no return"
                    + (promoting ? " (its emergency promotion started)" : " (a shard switched)") + ": " + by + " rolls it forward");
            return Optional.empty();
        }
        if (interrupted.isPresent() && interrupted.get().state() == TimelineStep.State.WAITING) {
            // Nobody approved yet: a takeover neither skips the gate nor approves it; it waits on, until the gate's first deadline.
            synchronized (gate) {
                if (steps.stream().noneMatch(s -> s.planned().pointOfNoReturn() && failover.step(s.name()).state() == TimelineStep.State.DONE)) {
                    notAbortable = null;
                }
            }
            events.publish("failover.takeover", failover.id(), "", interrupted.get().name(), by + " waits on for the approval of "
                    + interrupted.get().name() + " of failover " + failover.id());
            return Optional.empty();
        }
        interrupted.ifPresent(s -> end(step(s.name()), TimelineStep.State.FAILED, List.of(), lost));
        boolean changedNothing = started.stream().allMatch(s -> step(s.name()).readOnly());
        reasons.add(lost + (changedNothing ? ", before anything changed" : "") + "; no shard switched, so " + by + " rolled it back");
        List<FailoverStep> undo = steps.stream().filter(s -> failover.step(s.name()).state() == TimelineStep.State.DONE
                || failover.step(s.name()).state() == TimelineStep.State.FAILED).toList();
        boolean complete = rollBack(undo.reversed(), reasons, " by the takeover of " + by);
        steps.stream().filter(s -> failover.step(s.name()).state() == TimelineStep.State.PENDING).findFirst()
                .ifPresent(first -> skip(first, "not run: " + lost + " and " + by + " rolled it back"));
        return Optional.of(complete ? Failover.State.ROLLED_BACK : Failover.State.FAILED);
    }

    /**
     * Brings each shard the lost leader may have left half-switched to a safe end. Once switch-shards
     * started, that is every shard not finished; before, only one with a step recorded (none, normally).
     */
    private void reconcileShards() {
        boolean switching = switchSteps().anyMatch(s -> failover.step(s.name()).state() != TimelineStep.State.PENDING);
        Map<String, Optional<String>> hints = new LinkedHashMap<>();
        failover.plan().shards().stream().map(s -> progress.get(s.shard()))
                .filter(p -> !p.finished() && (switching || !p.steps().isEmpty()))
                .forEach(p -> hints.put(p.shard(), p.steps().isEmpty() ? Optional.empty() : Optional.of(p.steps().getLast().name())));
        if (hints.isEmpty()) return;
        for (SwitchoverResult r : new SwitchoverEngine(only(hints.keySet()), options).reconcileAll(failover.request().to(), hints)) {
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

    /** Whether an abort came in; otherwise, from the first point-of-no-return step on, none can. */
    private Optional<String> enter(FailoverStep step) {
        synchronized (gate) {
            if (abortedBecause != null) return Optional.of(abortedBecause);
            if (step.planned().pointOfNoReturn() && notAbortable == null) {
                notAbortable = "failover " + failover.id() + " is past its point of no return: " + step.name() + " has started"
                        + (step instanceof FailoverStep.SwitchShards ? ", and each shard finishes or rolls back on its own within seconds" : "");
            }
            return Optional.empty();
        }
    }

    /** Once a point-of-no-return step is done or a shard switched, a failure rolls forward. */
    private boolean pastNoReturn(List<FailoverStep> done) {
        return anyShardSwitched() || done.stream().anyMatch(s -> s.planned().pointOfNoReturn());
    }

    private Stream<FailoverStep> switchSteps() {
        return steps.stream().filter(s -> s instanceof FailoverStep.SwitchShards);
    }

    /** The steps that move shards, switched or promoted: a shard they leave unmoved fails the failover. */
    private Stream<FailoverStep> shardSteps() {
        return steps.stream().filter(s -> s instanceof FailoverStep.SwitchShards || s instanceof FailoverStep.FlipWriters);
    }

    /**
     * Runs the step with its plan's retries and timeout. A step that overran its timeout is interrupted
     * and given a short grace to stop, so that a rollback does not race it.
     */
    private List<String> attempts(FailoverStep step) {
        Retry retry = step.planned().retry();
        for (int attempt = 0; ; attempt++) {
            try {
                return step.ownsTimeout() ? step.run(this) : timed(step);
            } catch (SwitchoverAbandoned | WaitAborted e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= retry.attempts() || !context.leading().getAsBoolean()) throw e;
                Duration backoff = retry.backoffBefore(attempt + 1);
                events.publish("failover.step.retry", failover.id(), "", step.name(), "failover " + failover.id() + ": " + step.name()
                        + " attempt " + (attempt + 1) + " failed (" + message(e) + "); retrying in " + backoff.toMillis() + " ms");
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting to retry " + step.name(), interrupted);
                }
            }
        }
    }

    private List<String> timed(FailoverStep step) {
        Duration timeout = step.planned().timeout();
        FutureTask<List<String>> task = new FutureTask<>(() -> step.run(this));
        Thread worker = Thread.ofVirtual().name("failover-" + failover.id() + "-" + step.name()).start(task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            try {
                if (!worker.join(STOP_GRACE)) LOG.error("failover {}: {} still runs {} after its timeout", failover.id(), step.name(), STOP_GRACE);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(step.name() + " took longer than its timeout of " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(step.name() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            task.cancel(true);
            throw new IllegalStateException("interrupted while running " + step.name(), e);
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
            Optional<PlannedStep> rollback = failover.runbook().undoOf(step.planned());
            if (rollback.isEmpty()) continue;
            try {
                List<String> restored = step.undo(this, rollback.get());
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
        for (FailoverStep step : steps) {
            from |= step.equals(first);
            if (from) failover = failover.withStep(failover.step(step.name()).skipped(why));
        }
    }

    private FailoverStep next(FailoverStep step) {
        int i = steps.indexOf(step);
        return i + 1 < steps.size() ? steps.get(i + 1) : null;
    }

    private FailoverStep step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
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

    Context context() {
        return context;
    }

    /** The failover with its shards' progress so far (kept apart while they switch, as each shard persists its own). */
    Failover snapshot() {
        return failover.withShards(failover.plan().shards().stream().map(s -> progress.get(s.shard())).toList());
    }

    DcHealth health(String dc) {
        return context.health().get().dc(dc);
    }

    Planner.Discovery discover() {
        return context.planner().discover(failover.request().from(), failover.request().to());
    }

    /** The failover's shards as the servers stand now, candidates judged against {@code maxLag}. */
    FailoverPlan replan(Duration maxLag) {
        return context.planner().plan(discover(), failover.runbook(), maxLag);
    }

    /** The checkout record's director for a drain-dns step's way. */
    DnsDirector dns(Step.DnsVia via) {
        return dns.via(via);
    }

    CheckoutDrain drain() {
        return drain;
    }

    /**
     * One synthetic checkout per shard at DC {@code dc}, kept for {@code shards} (every shard when empty).
     * Every shard is asked: the app maps shops to shards over all of them, so the verifier needs the whole topology.
     */
    List<Verification> verify(String dc, List<String> shards) {
        List<Verification> all = new CheckoutVerifier(config.topology(), VERIFY_TIMEOUT).verifyEveryShard(dc);
        // In the topology's shard order; a failed checkout does not know its shard.
        List<Shard> order = config.topology().shards();
        return IntStream.range(0, all.size()).filter(i -> shards.isEmpty() || shards.contains(order.get(i).name()))
                .mapToObj(all::get).toList();
    }

    /**
     * Waits at an approval gate: persisted WAITING and announced first. Its deadline counts from the
     * step's first start, so a takeover waits only for what is left.
     */
    StepWaits.Approved awaitApproval(FailoverStep.Approval step) {
        TimelineStep now = failover.step(step.name());
        Instant deadline = now.startedAt().plus(step.planned().timeout());
        String who = step.role().name().toLowerCase(Locale.ROOT);
        waits.open(step.name(), step.role());
        update(failover.withStep(now.waiting("waiting until " + deadline + " for the approval of a user with role " + who + " or above: "
                + step.approve().prompt())));
        events.publish("failover.approval-needed", failover.id(), "", step.name(), "failover " + failover.id() + " waits at "
                + step.name() + " for the approval of a user with role " + who + " or above until " + deadline + ": " + step.approve().prompt()
                + " (baton failover approve " + failover.id() + ")");
        return waits.awaitApproval(deadline, context.leading());
    }

    /**
     * Approves the gate this run waits at.
     *
     * @return the step approved
     * @throws FailoverRefused it waits at no gate (naming where it stands), or {@code role} is below the gate's
     */
    String approve(String by, ApiRole role, String comment) {
        try {
            return waits.approve(failover.id(), by, role, comment);
        } catch (FailoverRefused e) {
            if (e.kind() != FailoverRefused.Kind.CONFLICT) throw e;
            throw new FailoverRefused(e.kind(), e.getMessage() + "; it is at " + currentStep());
        }
    }

    /** Where the run stands, for a refusal: the step running or waiting, or the last one that ended. */
    private String currentStep() {
        return failover.timeline().stream().filter(s -> s.state() == TimelineStep.State.RUNNING || s.state() == TimelineStep.State.WAITING)
                .findFirst().or(() -> failover.timeline().stream().filter(s -> s.state() != TimelineStep.State.PENDING).reduce((a, b) -> b))
                .map(s -> "step " + s.name() + " (" + s.state() + ")").orElse("its start");
    }

    /** A wait-until's pause between two checks; an abort or the loss of leadership ends it early. */
    void pause(Duration pause) {
        waits.pause(pause, context.leading());
    }

    void recordTraffic(UnaryOperator<TrafficOutcome> change) {
        update(failover.withTraffic(change));
    }

    void announce(String step, String summary) {
        events.publish("failover.report", failover.id(), "", step, summary);
    }

    /**
     * The planned shards through the engine in parallel; each shard's progress persisted after every
     * one of its steps. A shard already in the target DC (switched before a takeover) is left as it is;
     * one that has not reached its promote within the plan's per-shard timeout is rolled back.
     */
    List<ShardProgress> switchShards(Action.SwitchShards switches) {
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
        List<SwitchoverResult> results = new ArrayList<>();
        for (List<Action.ShardMove> group : switches.groups()) {
            Set<String> shards = group.stream().map(Action.ShardMove::shard).collect(Collectors.toSet());
            results.addAll(new SwitchoverEngine(only(shards), options.withListener(listener).withShardTimeout(switches.perShardTimeout()))
                    .switchoverAll(switches.to()));
            if (!context.leading().getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads after a group of shards ended");
        }
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

    /**
     * The planned shards' emergency promotions, all at once: their primaries' DC is down, so there is no
     * write pause to pace, only an outage to end. Each shard's outcome is persisted as it ends. A shard
     * a lost leader promoted already is left as it is (the promotion finds it so).
     */
    List<ShardProgress> flipWriters(Action.FlipWriters flips) {
        EmergencyPromotion promotion = new EmergencyPromotion(config.topology(), options);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ShardProgress>> promoted = flips.shards().stream().map(f -> pool.submit(() -> promote(promotion, f))).toList();
            List<ShardProgress> results = new ArrayList<>();
            for (Future<ShardProgress> f : promoted) results.add(f.get());
            if (!context.leading().getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads after promoting the shards");
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while promoting the shards", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("promoting the shards failed: " + e.getCause(), e.getCause());
        }
    }

    private ShardProgress promote(EmergencyPromotion promotion, Action.ShardFlip flip) {
        List<EmergencyPromotion.Writer> writers = flip.flips().stream().map(w -> new EmergencyPromotion.Writer(w.dc(),
                new Endpoint(w.runtime().host(), w.runtime().port()), w.backend(), w.server())).toList();
        Instant start = Instant.now();
        SwitchoverResult r = promotion.promote(flip.shard(), flip.target().id(), writers);
        ShardProgress before = progress.get(flip.shard());
        List<StepRecord> steps = new ArrayList<>(before == null ? List.of() : before.steps());
        r.steps().forEach(t -> steps.add(new StepRecord(t.name(), start.plusNanos(nanos(t.startOffsetMs())),
                start.plusNanos(nanos(t.startOffsetMs() + t.durationMs())), t.durationMs())));
        // Its "write pause" is this run's share of the outage: from its start until the writers pointed at the new primary.
        ShardProgress done = new ShardProgress(r.shard(), state(r), steps, r.reason(),
                r.outcome() == SwitchoverResult.Outcome.SWITCHED ? r.writePauseMs() : null, r.wallMs());
        progress.put(r.shard(), done);
        String id = failover.id();
        persist(id, done, () -> events.publish("failover.shard", id, r.shard(), "", r.shard() + " " + r.outcome() + ": "
                + (r.outcome() == SwitchoverResult.Outcome.SWITCHED ? "promoted " + r.toServer() + " in " + Math.round(r.wallMs()) + " ms; " : "")
                + r.reason()));
        return done;
    }

    /** The topology with only these shards. */
    private Topology only(Set<String> planned) {
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
            case CHECKED -> throw new IllegalStateException("shard " + r.shard() + ": a dry run's result is no shard's progress");
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
