package dev.baton.orchestrator.failover;

import java.time.Instant;

/**
 * One finished step of a shard's switchover.
 *
 * @param startedAt  known once the shard's switchover returns its timings; null until then
 * @param durationMs likewise
 */
public record StepRecord(String name, Instant startedAt, Instant doneAt, Double durationMs) {
}
