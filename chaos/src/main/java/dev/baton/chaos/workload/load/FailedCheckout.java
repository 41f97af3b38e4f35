package dev.baton.chaos.workload.load;

/**
 * A checkout that got no yes.
 *
 * @param plannedAtNanos when it was scheduled ({@link System#nanoTime()}), so failures can be put into windows
 * @param reason         a short category (e.g. {@code http 503}, {@code timeout}), counted in {@link LoadResult}
 * @param detail         the error text, for a person
 */
public record FailedCheckout(String idempotencyKey, long plannedAtNanos, String reason, String detail) {
}
