package dev.baton.orchestrator.traffic;

/**
 * The outcome of one synthetic checkout.
 *
 * @param status  the HTTP status; 0 when no reply came
 * @param shard   the shard the order went to (from the app's reply); null without a placed order
 * @param orderId the order's id on that shard; 0 without a placed order
 * @param error   why it failed; null when {@code ok}
 */
public record Verification(String dc, String idempotencyKey, boolean ok, int status, long latencyMs, String shard,
                           long orderId, String error) {
}
