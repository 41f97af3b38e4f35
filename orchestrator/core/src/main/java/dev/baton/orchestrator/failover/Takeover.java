package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import org.apache.curator.framework.recipes.locks.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * What a coordinator does on becoming leader: it finishes every failover a previous leader left
 * RUNNING in ZooKeeper (that leader died, or lost its session and stopped where it stood). It takes
 * the failover's lease (a dead leader's goes with its session) and hands the failover to the same
 * runner a new failover goes through ({@link Evacuation#takeover}), which reconciles its shards and
 * rolls it forward or back.
 */
final class Takeover {
    private static final Logger LOG = LoggerFactory.getLogger(Takeover.class);
    /** This coordinator's own failover, if one runs, ends or is abandoned within its steps' timeouts. */
    private static final Duration OWN_RUN_WAIT = Duration.ofSeconds(30);
    /** A leader that lost its session without dying holds the lease until ZooKeeper expires that session. */
    private static final Duration LEASE_WAIT = Duration.ofSeconds(15);

    private final String self;
    private final Leadership leadership;
    private final FailoverLock lock;
    private final FailoverStore store;
    private final EventHub events;
    private final AtomicReference<String> running;
    private final BiFunction<Failover, Lease, Optional<Failover>> resume;
    // One takeover at a time; the thread goes when idle, so a coordinator that never takes over keeps none.
    private final ExecutorService worker = new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            Thread.ofPlatform().name("takeover").daemon().factory());

    /**
     * @param running the id of the failover this coordinator runs (shared with {@link FailoverService}); null when none
     * @param resume  runs a failover left RUNNING to its end and releases its lease; empty when leadership went on the way
     */
    Takeover(String self, Leadership leadership, FailoverLock lock, FailoverStore store, EventHub events,
             AtomicReference<String> running, BiFunction<Failover, Lease, Optional<Failover>> resume) {
        this.self = self;
        this.leadership = leadership;
        this.lock = lock;
        this.store = store;
        this.events = events;
        this.running = running;
        this.resume = resume;
    }

    /** Called whenever this coordinator may have become leader; a takeover with nothing RUNNING does nothing. */
    void schedule() {
        long scheduled = System.nanoTime();
        worker.execute(() -> run(scheduled));
    }

    private void run(long scheduled) {
        // Claimed only when there is something to take over: a claim refuses new failovers meanwhile.
        if (!leadership.isLeader()) return;
        List<Failover> left = store.running();
        if (left.isEmpty()) return;
        String claim = "(taken over by " + self + ")";
        if (!claimRunning(claim)) return;
        try {
            for (Failover failover : left) {
                if (!leadership.isLeader()) return;
                running.set(failover.id());
                takeOver(failover, scheduled);
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

    private void takeOver(Failover failover, long scheduled) {
        String id = failover.id();
        Optional<Lease> lease = acquireLease(id);
        if (lease.isEmpty()) {
            String why = "coordinator " + self + " cannot take over failover " + id + ": its lease was not freed within "
                    + LEASE_WAIT.toSeconds() + " s (holder: " + lock.holder().orElse("none") + "); it stays RUNNING";
            LOG.error("{}", why);
            events.publish("failover.takeover-failed", id, "", "", why);
            return;
        }
        // Read again under the lease: the lost leader may have written until its session went.
        Optional<Failover> claimed = store.claim(id, self).filter(f -> f.state() == Failover.State.RUNNING);
        if (claimed.isEmpty()) {
            FailoverService.release(lease.get());
            return;
        }
        resume.apply(claimed.get(), lease.get()).ifPresent(done -> {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - scheduled);
            String outcome = "failover " + id + " " + done.state() + " after its takeover by coordinator " + self + " ("
                    + ms + " ms after it became leader)";
            LOG.warn("{}", outcome);
            events.publish("failover.takeover.finished", id, "", "", outcome);
        });
    }

    private Optional<Lease> acquireLease(String id) {
        long deadline = System.nanoTime() + LEASE_WAIT.toNanos();
        while (leadership.isLeader() && System.nanoTime() < deadline) {
            Optional<Lease> lease = lock.tryAcquire(id);
            if (lease.isPresent()) return lease;
        }
        return Optional.empty();
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
