package dev.baton.orchestrator.failover;

import java.time.Instant;

/**
 * One finished step of a shard's switchover.
 *
 * @param startedAt  known once the shard's switchover returns its timings; null until then
 * @param doneAt     while the shard runs, when the coordinator heard of the step; afterwards, from the engine's timings
 * @param durationMs known once the shard's switchover returns its timings; null until then
 */
public record StepRecord(String name, Instant startedAt, Instant doneAt, Double durationMs) {
}
