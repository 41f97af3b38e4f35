package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.switchover.SwitchoverAbandoned;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What a failover's waiting steps (approval gates, wait-until) wait on, besides their deadline: a
 * person's approval, an abort (which wakes them at once) and the loss of leadership (checked every
 * {@link #LEADERSHIP_CHECK}: a coordinator that no longer leads stops waiting and leaves the step to
 * the next leader). One per failover run; an abort, once in, stays.
 */
final class StepWaits {
    private static final Duration LEADERSHIP_CHECK = Duration.ofMillis(200);

    /** Who approved, and their comment (may be empty). */
    record Approved(String by, String comment) {
    }

    /** The gate waiting now. */
    private record Gate(String step, ApiRole role) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Gate gate;
    private Approved approved;
    private String aborted;

    /**
     * Opens the gate of step {@code step} for a user with at least {@code role}: from here on an approval
     * is taken, even before {@link #awaitApproval} waits (the step persists and announces itself in between).
     */
    void open(String step, ApiRole role) {
        lock.lock();
        try {
            gate = new Gate(step, role);
            approved = null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the approval of the gate {@link #open opened}; closes it however it ends.
     *
     * @throws WaitAborted           an abort came in
     * @throws SwitchoverAbandoned   this coordinator no longer leads
     * @throws IllegalStateException nobody approved before {@code deadline}
     */
    Approved awaitApproval(Instant deadline, BooleanSupplier leading) {
        lock.lock();
        try {
            if (gate == null) throw new IllegalStateException("no approval gate is open");
            while (approved == null) {
                Duration left = Duration.between(Instant.now(), deadline);
                if (!left.isPositive()) {
                    throw new IllegalStateException("no approval by a user with role " + gate.role().name().toLowerCase(Locale.ROOT)
                            + " or above for " + gate.step() + " before its deadline " + deadline);
                }
                await(left, leading);
            }
            return approved;
        } finally {
            gate = null;
            lock.unlock();
        }
    }

    /**
     * Approves the gate of failover {@code failover} waiting now.
     *
     * @return the step approved
     * @throws FailoverRefused no gate waits, an abort came in, or {@code role} is below the gate's
     */
    String approve(String failover, String by, ApiRole role, String comment) {
        lock.lock();
        try {
            if (aborted != null) {
                throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + failover + " is being aborted: " + aborted);
            }
            if (gate == null) throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "failover " + failover + " waits for no approval now");
            if (!role.allows(gate.role())) {
                throw new FailoverRefused(FailoverRefused.Kind.FORBIDDEN, "user " + by + " is a " + role.name().toLowerCase(Locale.ROOT)
                        + "; step " + gate.step() + " of failover " + failover + " needs the approval of a user with role "
                        + gate.role().name().toLowerCase(Locale.ROOT) + " or above");
            }
            approved = new Approved(by, comment);
            changed.signalAll();
            return gate.step();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting step, and any later one, with {@link WaitAborted}. */
    void abort(String because) {
        lock.lock();
        try {
            if (aborted == null) aborted = because;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps {@code pause} (a wait-until between two checks) unless an abort or the loss of leadership
     * cuts it short.
     */
    void pause(Duration pause, BooleanSupplier leading) {
        Instant until = Instant.now().plus(pause);
        lock.lock();
        try {
            for (Duration left = pause; left.isPositive(); left = Duration.between(Instant.now(), until)) {
                await(left, leading);
            }
        } finally {
            lock.unlock();
        }
    }

    /** One bounded wait on {@link #changed}, under the lock. */
    private void await(Duration left, BooleanSupplier leading) {
        if (aborted != null) throw new WaitAborted(aborted);
        if (!leading.getAsBoolean()) throw new SwitchoverAbandoned("this coordinator no longer leads");
        try {
            changed.awaitNanos(Math.min(left.toNanos(), LEADERSHIP_CHECK.toNanos()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
        if (aborted != null) throw new WaitAborted(aborted);
    }
}
