package dev.baton.orchestrator.health;

import dev.baton.wire.health.HealthReport;

import java.time.Duration;
import java.time.Instant;

/** A report and when this coordinator got it: silence is judged on the coordinator's clock, not the agent's. */
record Received(HealthReport report, Instant receivedAt) {
    boolean freshAt(Instant now, Duration silentAfter) {
        return receivedAt.plus(silentAfter).isAfter(now);
    }
}
