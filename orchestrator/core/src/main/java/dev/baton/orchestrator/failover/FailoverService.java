package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.runbook.RunbookPlans;
import dev.baton.orchestrator.runbook.RunbookRefused;
import dev.baton.orchestrator.switchover.SwitchoverAbandoned;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.PlanText;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.curator.framework.recipes.locks.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Starts, runs and shows failovers. Only the leader starts one, and only while it holds the
 * cluster-wide failover lock; the failover runs on its own virtual thread and its progress goes
 * to ZooKeeper after every step, to the event stream and to the metrics.
 */
public final class FailoverService {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverService.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /** How long an abort waits for the failover to put back what it changed before it answers. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(10);
    /** How long an approval waits for its gate to be recorded DONE before it answers. */
    private static final Duration APPROVE_WAIT = Duration.ofSeconds(5);

    private final CoordinatorConfig config;
    private final RunbookCatalog runbooks;
    private final String self;
    private final Leadership leadership;
    private final FailoverLock lock;
    private final FailoverStore store;
    private final EventHub events;
    private final Planner planner;
    private final Supplier<HealthSnapshot> health;
    private final Evacuation.Context context;
    private final AtomicReference<Thread> runner = new AtomicReference<>();
    /** The id of the failover this coordinator starts or takes over; claimed before it runs, shared with {@link Takeover}. */
    private final AtomicReference<String> running = new AtomicReference<>();
    /** The failover running here, for an abort. */
    private final AtomicReference<Evacuation> active = new AtomicReference<>();
    private final Takeover takeover;

    /** @param runbooks what a request may name: the only runbooks this service plans and runs */
    public FailoverService(CoordinatorConfig config, RunbookCatalog runbooks, String self, Leadership leadership, FailoverLock lock,
                           FailoverStore store, EventHub events, MeterRegistry registry, SwitchoverOptions options,
                           Supplier<HealthSnapshot> health) {
        this(config, runbooks, self, leadership, lock, store, events, registry, options, health, step -> { });
    }

    /** @param afterStep told each failover step that ended DONE, on the failover's thread: a test hook to hold it between steps */
    FailoverService(CoordinatorConfig config, RunbookCatalog runbooks, String self, Leadership leadership, FailoverLock lock,
                    FailoverStore store, EventHub events, MeterRegistry registry, SwitchoverOptions options,
                    Supplier<HealthSnapshot> health, Consumer<String> afterStep) {
        this.config = config;
        this.runbooks = runbooks;
        this.self = self;
        this.leadership = leadership;
        this.lock = lock;
        this.store = store;
        this.events = events;
        this.planner = new Planner(config.topology(), options.maxLag());
        this.health = health;
        this.context = new Evacuation.Context(config, options, planner, store, events, new FailoverMetrics(registry), health,
                leadership::isLeader, afterStep);
        this.takeover = new Takeover(self, leadership, lock, store, events, running, this::resume);
        leadership.onChange(leader -> {
            if (leader) takeover.schedule();
            String current = running.get();
            if (!leader && current != null) {
                // Its switchovers stop after their current step (SwitchoverAbandoned) and the next leader takes it over.
                LOG.error("coordinator {} lost leadership while failover {} runs", self, current);
                events.publish("failover.leadership-lost", current, "", "", "coordinator " + self
                        + " lost leadership while failover " + current + " runs");
            }
        });
        // Leadership may have come before this service listened.
        if (leadership.isLeader()) takeover.schedule();
    }

    /**
     * What a request would run, computed by reading the servers only: the runbook's plan and, next to
     * it, each shard's fence and candidate with their problems and the traffic preview. Any coordinator answers.
     *
     * @throws FailoverRefused as {@link #start} would for the request, the target's health aside
     */
    public DryRun dryRun(FailoverRequest request) {
        validate(request);
        Planner.Discovery discovery = planner.discover(request.from(), request.to());
        Plan runbook = runbookPlan(request, discovery, runbook(request).runbook());
        return new DryRun(true, runbook.runbook(), runbook, PlanText.render(runbook), planner.plan(discovery, runbook),
                health.get().dc(request.to()));
    }

    /**
     * A dry run's answer.
     *
     * @param runbookPlan what would run, step by step: every server, record and frontend touched, parallel groups
     * @param runbookText the same, as {@code baton runbook plan} prints it
     * @param plan        the shards' live fence and candidate with their problems, and the traffic preview
     */
    public record DryRun(boolean dryRun, String runbook, Plan runbookPlan, String runbookText, FailoverPlan plan,
                         DcHealth targetHealth) {
    }

    /**
     * Starts a failover and returns at once with it RUNNING. A target DC that is not HEALTHY
     * refuses it unless the request forces it (the API lets only admins force).
     *
     * @throws FailoverRefused before anything changed
     */
    public Failover start(FailoverRequest request, String requestedBy) {
        validate(request);
        requireLeader();
        String current = running.get();
        if (current != null) throw runningRefusal(current);
        Planner.Discovery discovery = planner.discover(request.from(), request.to());
        // Before the health and readiness refusals: a name the catalog lacks is a typo, whatever the servers say.
        RunbookCatalog.Entry chosen = runbook(request);
        DcHealth target = health.get().dc(request.to());
        String forced = "";
        if (target.verdict() != Verdict.HEALTHY) {
            String why = "target DC " + target.dc() + " is " + target.verdict() + " since " + target.since()
                    + (target.reasons().isEmpty() ? "" : ": " + String.join("; ", target.reasons()));
            if (!request.force()) throw new FailoverRefused(FailoverRefused.Kind.TARGET_UNHEALTHY, why + " (an admin may force it)");
            forced = " FORCED although the " + why;
        }
        if (!discovery.problems().isEmpty()) throw notReady(request, discovery.problems(), false);
        Plan runbook = runbookPlan(request, discovery, chosen.runbook());
        FailoverPlan plan = planner.plan(discovery, runbook);
        if (!plan.allProblems().isEmpty()) throw notReady(request, plan.allProblems(), plan.onlyCatchingUp());
        String id = "f-" + ID_TIME.format(Instant.now()) + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        Lease lease = lock.tryAcquire(id).orElseThrow(() -> runningRefusal(lock.holder().orElse("(unknown)")));
        // A failover a lost leader left RUNNING comes first: this leader's takeover finishes it.
        Optional<String> left = store.running().stream().map(Failover::id).findFirst();
        if (left.isPresent()) {
            release(lease);
            throw runningRefusal(left.get());
        }
        if (!running.compareAndSet(null, id)) {
            release(lease);
            throw runningRefusal(running.get());
        }
        Failover failover = new Failover(id, request, requestedBy, self, Failover.State.RUNNING, Instant.now(), null, runbook, chosen.sha256(), plan,
                Evacuation.pendingTimeline(runbook), TrafficOutcome.NONE, plan.shards().stream().map(s -> ShardProgress.pending(s.shard())).toList(), "");
        try {
            store.create(failover);
        } catch (RuntimeException e) {
            running.set(null);
            release(lease);
            throw e;
        }
        events.publish("failover.started", id, "", "", requestedBy + " started runbook " + runbook.runbook() + " (" + chosen.source().name().toLowerCase()
                + " file " + chosen.file() + ", sha256 " + chosen.sha256() + ") from " + request.from()
                + " to " + request.to() + " of " + plan.shards().size() + " shard(s): " + request.reason() + forced);
        Evacuation evacuation = Evacuation.start(failover, context);
        runner.set(Thread.ofVirtual().name("failover-" + id).start(() -> {
            try {
                run(evacuation, lease);
            } finally {
                running.set(null);
            }
        }));
        return failover;
    }

    /**
     * Aborts the failover this leader runs, before switch-shards starts: it stops before its next step,
     * undoes the traffic steps done and ends ROLLED_BACK. Waits (bounded) for that and returns the
     * failover as it then stands.
     *
     * @param reason why, as the person gave it; may be blank
     * @throws FailoverRefused not running; this coordinator does not lead; past the point of no return
     */
    public Failover abort(String id, String requestedBy, String reason) {
        Failover failover = get(id);
        if (failover.state() != Failover.State.RUNNING) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + id + " is not running: it " + failover.state()
                    + " at " + failover.finished());
        }
        requireLeader();
        Evacuation evacuation = active.get();
        if (evacuation == null || !evacuation.id().equals(id)) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + id + " is left RUNNING by a lost leader and is not"
                    + " run here yet; coordinator " + self + " takes it over and rolls it forward or back on its own");
        }
        String because = "aborted by " + requestedBy + (reason == null || reason.isBlank() ? "" : ": " + reason);
        Optional<String> refused = evacuation.abort(because);
        if (refused.isPresent()) throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + id + " cannot be aborted: "
                + refused.get());
        events.publish("failover.abort", id, "", "", "failover " + id + " " + because + "; it stops before its next step");
        try {
            if (!evacuation.awaitEnd(ABORT_WAIT)) LOG.warn("failover {} has not ended {} after its abort", id, ABORT_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return get(id);
    }

    /**
     * Approves the approval gate the failover waits at, and returns the failover once the gate's step
     * is recorded DONE (bounded wait), so the caller sees it go on.
     *
     * @param role the approving user's: at least the gate's
     * @throws FailoverRefused not running; not waiting for an approval (CONFLICT, naming where it stands);
     *                         this coordinator does not lead; the role is below the gate's (FORBIDDEN)
     */
    public Failover approve(String id, String by, ApiRole role, String comment) {
        Failover failover = get(id);
        if (failover.state() != Failover.State.RUNNING) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + id + " waits for no approval: it "
                    + failover.state() + " at " + failover.finished());
        }
        requireLeader();
        Evacuation evacuation = active.get();
        if (evacuation == null || !evacuation.id().equals(id)) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + id + " is left RUNNING by a lost leader and is not"
                    + " run here yet; coordinator " + self + " takes it over and then waits again for any approval it waited for");
        }
        String note = comment == null ? "" : comment.strip();
        String step = evacuation.approve(by, role, note);
        events.publish("failover.approved", id, "", step, "failover " + id + ": " + step + " approved by " + by
                + (note.isEmpty() ? "" : ": " + note));
        // Read from ZooKeeper, not the run's memory, which goes first: the answer shows what any coordinator now shows.
        long deadline = System.nanoTime() + APPROVE_WAIT.toNanos();
        Failover now = get(id);
        while (now.step(step).state() == TimelineStep.State.WAITING && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = get(id);
        }
        return now;
    }

    public Failover get(String id) {
        return store.get(id).orElseThrow(() -> new FailoverRefused(FailoverRefused.Kind.NOT_FOUND, "no failover with id '" + id + "'"));
    }

    /** The report of a failover, finished or still running. */
    public FailoverReport report(String id) {
        return FailoverReport.of(get(id));
    }

    /** Every failover, newest first. */
    public List<Failover> list() {
        return store.list();
    }

    /** The {@code newest} failovers, newest first. */
    public List<Failover> list(int newest) {
        return store.list(newest);
    }

    /**
     * Reads every failover's record once, as a takeover would: from then on a takeover reads only the failovers
     * recorded since (see {@link FailoverStore#running()}). Returns how many are left RUNNING.
     */
    public int warmUp() {
        return store.running().size();
    }

    /** The runbooks a request may name. */
    public RunbookCatalog runbooks() {
        return runbooks;
    }

    /** Waits up to {@code timeout} for the running failover, if any; true when none runs any more. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        Thread t = runner.get();
        return t == null || t.join(timeout);
    }

    /** Finishes a failover a lost leader left RUNNING; called by the takeover with the failover's lease. */
    private Optional<Failover> resume(Failover left, Lease lease) {
        if (left.runbook() == null) return endPlanless(left, lease);
        return run(Evacuation.takeover(left, context, self), lease);
    }

    /**
     * A failover recorded by a Baton from before runbook plans has no plan to finish or undo from. Left
     * RUNNING it would refuse every new failover for good; it ends FAILED saying so, and the servers are
     * as the health view and a dry run show them.
     */
    private Optional<Failover> endPlanless(Failover left, Lease lease) {
        Failover failed = left.finish(Failover.State.FAILED, "recorded by an older Baton without a runbook plan, so coordinator "
                + self + " cannot finish or undo it; nothing was run for it now: check GET /api/v1/health and a dry run, and fail"
                + " over again", left.shards());
        try {
            store.update(failed);
        } finally {
            release(lease);
        }
        events.publish("failover.finished", left.id(), "", "", "failover " + left.id() + " FAILED: " + failed.reason());
        return Optional.of(failed);
    }

    /** Runs a failover to its end and gives its lease back; empty when this coordinator stopped leading on the way. */
    private Optional<Failover> run(Evacuation evacuation, Lease lease) {
        String id = evacuation.id();
        active.set(evacuation);
        try {
            Failover done = evacuation.run();
            events.publish("failover.finished", id, "", "", "failover " + id + " " + done.state()
                    + (done.reason().isBlank() ? "" : ": " + done.reason()));
            return Optional.of(done);
        } catch (SwitchoverAbandoned e) {
            // Left RUNNING in ZooKeeper for the next leader's Takeover: a write from here could overwrite its work.
            LOG.error("failover {} abandoned where it stood: {}", id, e.getMessage());
            events.publish("failover.abandoned", id, "", "", "coordinator " + self + " stopped failover "
                    + id + " where it stood, for the next leader to take over: " + e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            // The steps catch their own failures; this is a defect in the runner itself, and it must not keep the lock.
            LOG.error("failover {} failed", id, e);
            Failover failed = evacuation.snapshot().finish(Failover.State.FAILED, "the failover runner failed: " + e,
                    evacuation.snapshot().shards());
            try {
                store.update(failed);
            } catch (RuntimeException persist) {
                LOG.error("failover {} failed but could not be marked FAILED in ZooKeeper: {}", id, persist.getMessage());
            }
            events.publish("failover.finished", id, "", "", "failover " + id + " FAILED: " + failed.reason());
            return Optional.of(failed);
        } finally {
            active.set(null);
            release(lease);
        }
    }

    /** The refusal a follower gives to a mutating call, naming the leader to send it to. */
    private void requireLeader() {
        if (leadership.isLeader()) return;
        Optional<CoordinatorPeer> leader = leadership.leaderId().flatMap(config::coordinator);
        throw new FailoverRefused(FailoverRefused.Kind.NOT_LEADER, "coordinator " + self + " is not the leader; "
                + leader.map(l -> "send failovers to the leader " + l.id() + " at " + l.url()).orElse("no leader is elected right now"),
                leader.map(CoordinatorPeer::url).orElse(null));
    }

    /**
     * The catalog's runbook the request names. Without one named, a failover into a DC that is itself
     * drained sends traffic home: {@code fail-back}; otherwise {@code planned-evacuation}.
     *
     * @throws FailoverRefused a name the catalog does not have, listing the names it has
     */
    private RunbookCatalog.Entry runbook(FailoverRequest request) {
        String name = request.runbook() != null && !request.runbook().isBlank() ? request.runbook() : defaultRunbook(request.to());
        return runbooks.find(name).orElseThrow(() -> new FailoverRefused(FailoverRefused.Kind.BAD_REQUEST, "no runbook named '" + name
                + "' on coordinator " + self + "; its runbooks: " + String.join(", ", runbooks.names())));
    }

    /**
     * The runbook planned against where the primaries are now.
     *
     * @throws FailoverRefused not plannable, or with a step this coordinator cannot run; every problem listed
     */
    private Plan runbookPlan(FailoverRequest request, Planner.Discovery discovery, Runbook runbook) {
        String name = runbook.name();
        PlanRequest planRequest = new PlanRequest(request.from(), request.to(), request.shards(), request.reason(), Map.of());
        Plan plan;
        try {
            plan = RunbookPlans.plan(runbook, config.topology(), discovery.primaryDcs(), planRequest);
        } catch (RunbookRefused e) {
            throw new FailoverRefused(e.problems().isEmpty() ? FailoverRefused.Kind.BAD_REQUEST : FailoverRefused.Kind.INVALID_RUNBOOK,
                    e.getMessage(), null, e.problems());
        }
        List<String> unsupported = new ArrayList<>(FailoverStep.unsupported(plan));
        unsupported.addAll(StepHooks.unconfigured(plan, config));
        if (!unsupported.isEmpty()) {
            throw new FailoverRefused(FailoverRefused.Kind.INVALID_RUNBOOK, "runbook " + name + " cannot run on this coordinator:\n"
                    + String.join("\n", unsupported), null, unsupported);
        }
        return plan;
    }

    private String defaultRunbook(String to) {
        try {
            return planner.drained(to) ? "fail-back" : "planned-evacuation";
        } catch (RuntimeException e) {
            // An HAProxy that cannot be read: the plan's own preview and its drain step meet the same problem and say so.
            LOG.warn("cannot tell whether DC {} is drained ({}); planning planned-evacuation", to, e.getMessage());
            return "planned-evacuation";
        }
    }

    /** @param catchingUp only candidates still catching up: the message says so, and the API tells clients they may ask again */
    private static FailoverRefused notReady(FailoverRequest request, List<String> problems, boolean catchingUp) {
        return FailoverRefused.notReady("not ready to fail over from " + request.from() + " to " + request.to() + ": "
                + String.join("; ", problems) + (catchingUp ? " (only catching up, which clears by itself: ask again in a few seconds)" : ""),
                problems, catchingUp);
    }

    private FailoverRefused runningRefusal(String id) {
        return new FailoverRefused(FailoverRefused.Kind.RUNNING, "failover " + id + " is running; one failover at a time");
    }

    static void release(Lease lease) {
        try {
            lease.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot release the failover lock: {}; it goes with this coordinator's ZooKeeper session", e.getMessage());
        }
    }

    private static void validate(FailoverRequest request) {
        if (request == null) throw new FailoverRefused(FailoverRefused.Kind.BAD_REQUEST, "the request has no body");
        missing(request.from(), "from");
        missing(request.to(), "to");
        missing(request.reason(), "reason");
    }

    private static void missing(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new FailoverRefused(FailoverRefused.Kind.BAD_REQUEST, "missing field '" + field + "'");
        }
    }
}
