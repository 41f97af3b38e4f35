package dev.baton.chaos.workload.audit;

/** An acknowledged order missing from one server of its shard. */
public record LostOrder(String idempotencyKey, String shard, String server) {
}
