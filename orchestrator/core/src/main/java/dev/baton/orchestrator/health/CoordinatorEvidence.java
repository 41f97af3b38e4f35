package dev.baton.orchestrator.health;

import java.time.Instant;
import java.util.List;

/**
 * One coordinator's latest observation of a DC, as the verdict weighed it.
 *
 * @param from       the DC the coordinator runs in
 * @param outside    false for a coordinator in the judged DC itself: it does not count as evidence
 * @param observedAt when the coordinator probed, on its own clock
 * @param ageMs      how long before the evaluation this coordinator received it
 * @param fresh      younger than the policy's {@code observationStaleAfter}; stale observations do not count
 * @param failures   one line per failed connect
 */
public record CoordinatorEvidence(String coordinator, String from, boolean outside, Instant observedAt, long ageMs,
                                  boolean fresh, boolean reachable, int targets, List<String> failures) {
    public CoordinatorEvidence {
        failures = List.copyOf(failures);
    }
}
