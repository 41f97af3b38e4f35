package dev.baton.orchestrator.switchover;

/**
 * Thrown by a {@link StepListener} to stop a switchover where it stands: no rollback, no further
 * change to any server or HAProxy, only its own connections are closed. For a coordinator that lost
 * leadership: a rollback or the next step would race the new leader's
 * {@link SwitchoverEngine#reconcile}, which finishes or undoes the shard instead. The engine
 * rethrows it to the caller; a step already running finishes first (at most its own timeout).
 */
public class SwitchoverAbandoned extends RuntimeException {
    public SwitchoverAbandoned(String message) {
        super(message);
    }
}
