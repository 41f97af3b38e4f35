package dev.baton.orchestrator.switchover;

import java.util.List;

/**
 * What one shard's switchover did.
 *
 * @param reason       why it rolled back or was refused; for SWITCHED, what went wrong after the
 *                     point of no return (empty when nothing did)
 * @param writePauseMs from the moment new writes were held (or the primary fenced) until they
 *                     flowed again, to the new primary or, after a rollback, to the old one
 */
public record SwitchoverResult(String shard, String fromServer, String toServer, Outcome outcome, String reason,
                               List<StepTiming> steps, double writePauseMs, double wallMs) {

    public enum Outcome { SWITCHED, ROLLED_BACK, REFUSED }

    public SwitchoverResult {
        steps = List.copyOf(steps);
    }
}
