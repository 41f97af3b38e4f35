package dev.baton.orchestrator.health;

import java.time.Instant;
import java.util.List;

/**
 * One DC's verdict.
 *
 * @param reasons what makes it so, each naming a server, probe or agent; empty when healthy
 * @param since   when the verdict last changed
 * @param observedBy every coordinator's latest observation of the DC, stale ones included, as of this evaluation
 */
public record DcHealth(String dc, Verdict verdict, List<String> reasons, Instant since, List<CoordinatorEvidence> observedBy) {
    public DcHealth {
        reasons = List.copyOf(reasons);
        observedBy = List.copyOf(observedBy);
    }

    /** A verdict without any coordinator's observation: before the first evaluation, or made up by a test. */
    public DcHealth(String dc, Verdict verdict, List<String> reasons, Instant since) {
        this(dc, verdict, reasons, since, List.of());
    }
}
