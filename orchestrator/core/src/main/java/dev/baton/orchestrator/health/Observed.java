package dev.baton.orchestrator.health;

import java.time.Duration;
import java.time.Instant;

/**
 * A coordinator's observation and when this coordinator got it. Age is judged on the reader's
 * clock, as agents' silence is: coordinators' clocks may differ, and an observer rewrites an
 * unchanged observation every few seconds, so a live observer's stays young.
 */
record Observed(CoordinatorObservation observation, Instant receivedAt) {
    Duration ageAt(Instant now) {
        return Duration.between(receivedAt, now);
    }

    boolean freshAt(Instant now, Duration staleAfter) {
        return receivedAt.plus(staleAfter).isAfter(now);
    }
}
