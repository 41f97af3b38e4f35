package dev.baton.orchestrator.health;

import java.time.Instant;
import java.util.List;

/**
 * One DC's verdict.
 *
 * @param reasons what makes it so, each naming a server, probe or agent; empty when healthy
 * @param since   when the verdict last changed
 */
public record DcHealth(String dc, Verdict verdict, List<String> reasons, Instant since) {
    public DcHealth {
        reasons = List.copyOf(reasons);
    }
}
