package dev.baton.orchestrator.events;

import java.time.Instant;

/**
 * Something that happened, as the event stream sends it.
 *
 * @param seq        increasing per coordinator; the SSE event id
 * @param type       e.g. {@code failover.started}, {@code failover.step}, {@code failover.shard}, {@code failover.finished}, {@code leadership}
 * @param failoverId empty when not about a failover
 * @param shard      empty when not about one shard
 * @param step       empty when not about one step
 */
public record Event(long seq, Instant at, String type, String failoverId, String shard, String step, String message) {
}
