package dev.baton.chaos.workload.checkout;

/** A checkout app's counters, as {@code GET /stats} returns them. */
public record CheckoutStats(String dc, long requests, long acknowledged, long failed, long badRequests, long retries) {
}
