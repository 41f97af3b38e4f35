package dev.baton.orchestrator.leader;

import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One failover at a time across every coordinator: a single-lease {@link InterProcessSemaphoreV2}
 * under {@code /failover-lock}. The lease carries the failover's id, so a refusal can name the
 * failover that holds it. Unlike InterProcessMutex, a lease is not tied to the thread that took
 * it: the API thread takes it, the failover's own thread gives it back. It is an ephemeral node,
 * so a coordinator that dies releases it with its session.
 */
public final class FailoverLock {
    private static final String PATH = "/failover-lock";
    // Not 0: the semaphore briefly takes an internal mutex, and a free lease must not look taken.
    private static final long ACQUIRE_WAIT_MS = 200;
    private final ZooKeeperSession session;

    public FailoverLock(ZooKeeperSession session) {
        this.session = session;
    }

    /** The lease for {@code failoverId}, or empty when another failover holds it. */
    public Optional<Lease> tryAcquire(String failoverId) {
        InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(session.client(), PATH, 1);
        semaphore.setNodeData(failoverId.getBytes(StandardCharsets.UTF_8));
        try {
            return Optional.ofNullable(semaphore.acquire(ACQUIRE_WAIT_MS, TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("cannot take the failover lock in ZooKeeper: " + e.getMessage(), e);
        }
    }

    /** The id of the failover holding the lock, if any. */
    public Optional<String> holder() {
        InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(session.client(), PATH, 1);
        try {
            Collection<String> nodes = semaphore.getParticipantNodes();
            for (String node : nodes) {
                byte[] data = session.client().getData().forPath(PATH + "/leases/" + node);
                if (data != null && data.length > 0) return Optional.of(new String(data, StandardCharsets.UTF_8));
            }
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
