package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.switchover.StepListener;
import dev.baton.orchestrator.switchover.StepTiming;
import dev.baton.orchestrator.switchover.SwitchoverAbandoned;
import dev.baton.orchestrator.switchover.SwitchoverEngine;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.apache.curator.framework.recipes.locks.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What a coordinator does on becoming leader: it finishes every failover a previous leader left
 * RUNNING in ZooKeeper (that leader died, or lost its session and stopped where it stood).
 * <p>
 * It first takes the failover's lease (a dead leader's goes with its session), then brings every
 * shard the record does not show finished to a safe end with {@link SwitchoverEngine#reconcileAll},
 * the servers being the truth and the last persisted step only the hint. When some shard of the
 * failover ended on the target DC, the failover is past its point of no return and rolls forward:
 * the shards the reconcile put back on their old primary are switched again. Otherwise every shard
 * stays where the reconcile left it and the failover ends FAILED, rolled back.
 * <p>
 * Like a failover, it writes nothing once this coordinator stops leading: the next leader starts over.
 */
final class Takeover {
    private static final Logger LOG = LoggerFactory.getLogger(Takeover.class);
    /** This coordinator's own failover, if one runs, ends or is abandoned within its steps' timeouts. */
    private static final Duration OWN_RUN_WAIT = Duration.ofSeconds(30);
    /** A leader that lost its session without dying holds the lease until ZooKeeper expires that session. */
    private static final Duration LEASE_WAIT = Duration.ofSeconds(15);

    private final CoordinatorConfig config;
    private final String self;
    private final Leadership leadership;
    private final FailoverLock lock;
    private final FailoverStore store;
    private final EventHub events;
    private final FailoverMetrics metrics;
    private final SwitchoverOptions options;
    private final AtomicReference<String> running;
    // One takeover at a time; the thread goes when idle, so a coordinator that never takes over keeps none.
    private final ExecutorService worker = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("takeover").daemon().factory());

    /** @param running the id of the failover this coordinator runs (shared with {@link FailoverService}); null when none */
    Takeover(CoordinatorConfig config, String self, Leadership leadership, FailoverLock lock, FailoverStore store, EventHub events,
             FailoverMetrics metrics, SwitchoverOptions options, AtomicReference<String> running) {
        this.config = config;
        this.self = self;
        this.leadership = leadership;
        this.lock = lock;
        this.store = store;
        this.events = events;
        this.metrics = metrics;
        this.options = options;
        this.running = running;
    }

    /** Called whenever this coordinator may have become leader; a takeover with nothing RUNNING does nothing. */
    void schedule() {
        worker.execute(this::run);
    }

    private void run() {
        if (!leadership.isLeader()) return;
        String claim = "(taken over by " + self + ")";
        if (!claimRunning(claim)) return;
        try {
            for (Failover failover : store.running()) {
                if (!leadership.isLeader()) return;
                running.set(failover.id());
                takeOver(failover);
            }
        } catch (RuntimeException e) {
            LOG.error("coordinator {} could not take over the failovers left running", self, e);
            events.publish("failover.takeover-failed", "", "", "", "coordinator " + self
                    + " could not take over the failovers left running: " + e.getMessage());
        } finally {
            running.set(null);
        }
    }

    /** Waits for this coordinator's own failover, if one runs (it finishes, or stops when leadership went). */
    private boolean claimRunning(String claim) {
        long deadline = System.nanoTime() + OWN_RUN_WAIT.toNanos();
        while (!running.compareAndSet(null, claim)) {
            if (System.nanoTime() > deadline || !leadership.isLeader()) {
                LOG.warn("coordinator {}: failover {} still runs here; no takeover now", self, running.get());
                return false;
            }
            sleep(20);
        }
        return true;
    }

    private void takeOver(Failover failover) {
        String id = failover.id();
        Optional<Lease> lease = acquireLease(id);
        if (lease.isEmpty()) {
            String why = "coordinator " + self + " cannot take over failover " + id + ": its lease was not freed within "
                    + LEASE_WAIT.toSeconds() + " s (holder: " + lock.holder().orElse("none") + "); it stays RUNNING";
            LOG.error("{}", why);
            events.publish("failover.takeover-failed", id, "", "", why);
            return;
        }
        try {
            finish(failover);
        } catch (SwitchoverAbandoned e) {
            LOG.error("coordinator {} lost leadership while taking over failover {}; the next leader takes it over", self, id);
            events.publish("failover.abandoned", id, "", "", "coordinator " + self + " lost leadership while taking over failover "
                    + id + ": " + e.getMessage());
        } finally {
            try {
                lease.get().close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("cannot release the lease of failover {}: {}; it goes with this coordinator's session", id, e.getMessage());
            }
        }
    }

    private Optional<Lease> acquireLease(String id) {
        long deadline = System.nanoTime() + LEASE_WAIT.toNanos();
        while (leadership.isLeader() && System.nanoTime() < deadline) {
            Optional<Lease> lease = lock.tryAcquire(id);
            if (lease.isPresent()) return lease;
        }
        return Optional.empty();
    }

    private void finish(Failover failover) {
        String id = failover.id();
        String to = failover.request().to();
        long started = System.nanoTime();
        Map<String, ShardProgress> progress = new ConcurrentHashMap<>();
        failover.shards().forEach(s -> progress.put(s.shard(), s));
        Map<String, Optional<String>> hints = new LinkedHashMap<>();
        failover.shards().stream().filter(s -> !s.finished())
                .forEach(s -> hints.put(s.shard(), s.steps().isEmpty() ? Optional.empty() : Optional.of(s.steps().getLast().name())));
        String detail = "coordinator " + self + " takes over failover " + id + " from " + failover.request().from() + " to " + to
                + " that " + failover.coordinator() + " left running; last steps: " + hints.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().orElse("(none)")).collect(Collectors.joining(", "));
        LOG.warn("{}", detail);
        events.publish("failover.takeover", id, "", "", detail);

        SwitchoverEngine engine = new SwitchoverEngine(planned(failover), options.withListener(listener(id, progress)));
        for (SwitchoverResult r : engine.reconcileAll(to, hints)) record(id, progress, r, null);
        stillLeading("after reconciling");

        List<String> putBack = hints.keySet().stream().filter(s -> progress.get(s).state() == ShardProgress.State.ROLLED_BACK).toList();
        boolean pastNoReturn = progress.values().stream().anyMatch(p -> p.state() == ShardProgress.State.SWITCHED);
        if (pastNoReturn && !putBack.isEmpty()) {
            events.publish("failover.takeover", id, "", "", "failover " + id + " rolls forward: switching " + putBack + " to " + to);
            Set<String> again = Set.copyOf(putBack);
            for (SwitchoverResult r : new SwitchoverEngine(only(again::contains), options.withListener(listener(id, progress)))
                    .switchoverAll(to)) {
                record(id, progress, r, r.writePauseMs());
                metrics.shardFinished(r);
            }
            stillLeading("after rolling forward");
        }

        List<ShardProgress> shards = failover.plan().shards().stream().map(s -> progress.get(s.shard())).toList();
        List<ShardProgress> failed = shards.stream().filter(p -> p.state() != ShardProgress.State.SWITCHED).toList();
        Failover.State state = failed.isEmpty() ? Failover.State.SUCCEEDED : Failover.State.FAILED;
        String reason = failed.isEmpty() ? "" : "taken over by coordinator " + self + " after " + failover.coordinator()
                + " was lost; " + failed.stream().map(p -> p.shard() + " " + p.state() + ": " + p.reason()).collect(Collectors.joining("; "));
        Failover done = failover.finish(state, reason, shards);
        try {
            store.update(done);
        } catch (RuntimeException e) {
            LOG.error("failover {} was taken over ({}) but its state could not be written to ZooKeeper", id, state, e);
        }
        metrics.failoverFinished(done);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        String outcome = "failover " + id + " " + state + " after its takeover by coordinator " + self + " (" + ms + " ms): "
                + shards.stream().map(p -> p.shard() + " " + p.state()).collect(Collectors.joining(", "));
        LOG.warn("{}", outcome);
        events.publish("failover.takeover.finished", id, "", "", outcome);
        events.publish("failover.finished", id, "", "", "failover " + id + " " + state + (reason.isBlank() ? "" : ": " + reason));
    }

    /** As a failover's: told after each step of a switchover the takeover runs again; stops it when leadership went. */
    private StepListener listener(String id, Map<String, ShardProgress> progress) {
        return (shard, step) -> {
            stillLeading("after step " + step + " of shard " + shard);
            ShardProgress now = progress.compute(shard, (k, p) -> p.withStep(new StepRecord(step, null, Instant.now(), null)));
            store.updateShard(id, now, problem -> {
                LOG.error("{}", problem);
                events.publish("failover.persist-failed", id, shard, "", problem);
            });
            events.publish("failover.step", id, shard, step, shard + ": " + step + " done");
        };
    }

    private void stillLeading(String when) {
        if (!leadership.isLeader()) throw new SwitchoverAbandoned("coordinator " + self + " no longer leads " + when);
    }

    /**
     * The shard's progress after a reconcile or a switchover: the steps recorded so far, then the
     * takeover's own. A reconcile's write pause is left unknown: the dead leader's share is not known.
     */
    private void record(String id, Map<String, ShardProgress> progress, SwitchoverResult r, Double writePauseMs) {
        ShardProgress.State state = switch (r.outcome()) {
            case SWITCHED -> ShardProgress.State.SWITCHED;
            case ROLLED_BACK -> ShardProgress.State.ROLLED_BACK;
            case REFUSED -> ShardProgress.State.REFUSED;
        };
        ShardProgress before = progress.get(r.shard());
        List<StepRecord> steps = new ArrayList<>(before.steps());
        for (StepTiming t : r.steps()) steps.add(new StepRecord("takeover " + t.name(), null, null, t.durationMs()));
        ShardProgress done = new ShardProgress(r.shard(), state, steps, r.reason(), writePauseMs, r.wallMs());
        progress.put(r.shard(), done);
        store.updateShard(id, done, problem -> LOG.error("{}", problem));
        events.publish("failover.shard", id, r.shard(), "", r.shard() + " " + r.outcome() + " by the takeover of coordinator " + self
                + (r.reason().isBlank() ? "" : ": " + r.reason()));
    }

    private Topology planned(Failover failover) {
        Set<String> planned = failover.plan().shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
        return only(planned::contains);
    }

    private Topology only(Predicate<String> shardNames) {
        Topology topology = config.topology();
        List<Shard> shards = topology.shards().stream().filter(s -> shardNames.test(s.name())).toList();
        return new Topology(topology.name(), topology.datacenters(), shards, topology.dns(), topology.zookeeper(),
                topology.credentials());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to take over", e);
        }
    }
}
