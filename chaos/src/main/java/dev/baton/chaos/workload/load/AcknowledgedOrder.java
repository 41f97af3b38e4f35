package dev.baton.chaos.workload.load;

/** An order a checkout app said yes to; the audit checks each one exists exactly once. */
public record AcknowledgedOrder(String idempotencyKey, String shard, long orderId, String dc) {
}
