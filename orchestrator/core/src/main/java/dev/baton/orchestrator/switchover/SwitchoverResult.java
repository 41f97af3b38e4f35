package dev.baton.orchestrator.switchover;

import java.util.List;

/**
 * What one shard's switchover did.
 *
 * @param reason       why it rolled back or was refused; for SWITCHED, what went wrong after the
 *                     point of no return (empty when nothing did); for a reconcile, what it repaired
 *                     and any problem left
 * @param writePauseMs from the moment new writes were held (or the primary fenced) until they
 *                     flowed again, to the new primary or, after a rollback, to the old one; for a
 *                     reconcile, only its own share (from its start until writes flowed, 0 when it
 *                     repaired nothing): the dead coordinator's share is not known
 * @param fromServer   for a reconcile, the old primary as far as the servers tell (may be empty)
 * @param catchingUp   REFUSED only because the candidate was still catching up ({@link SwitchoverRefused#catchingUp()}):
 *                     the same switchover may go through in a few seconds
 */
public record SwitchoverResult(String shard, String fromServer, String toServer, Outcome outcome, String reason,
                               List<StepTiming> steps, double writePauseMs, double wallMs, boolean catchingUp) {

    /** CHECKED: a dry run passed every step before the hold and changed nothing (see {@link SwitchoverEngine#check}). */
    public enum Outcome { SWITCHED, ROLLED_BACK, REFUSED, CHECKED }

    public SwitchoverResult {
        steps = List.copyOf(steps);
        catchingUp = catchingUp && outcome == Outcome.REFUSED;
    }

    public SwitchoverResult(String shard, String fromServer, String toServer, Outcome outcome, String reason,
                            List<StepTiming> steps, double writePauseMs, double wallMs) {
        this(shard, fromServer, toServer, outcome, reason, steps, writePauseMs, wallMs, false);
    }
}
