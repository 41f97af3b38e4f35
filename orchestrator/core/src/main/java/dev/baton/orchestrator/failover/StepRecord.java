package dev.baton.orchestrator.failover;

import java.time.Instant;

/**
 * One finished step of a shard's switchover.
 *
 * @param durationMs known once the shard's switchover returns its timings; null until then
 */
public record StepRecord(String name, Instant doneAt, Double durationMs) {
}
