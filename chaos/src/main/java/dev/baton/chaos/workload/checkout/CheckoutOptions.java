package dev.baton.chaos.workload.checkout;

import java.time.Duration;

/**
 * How hard a checkout app tries before it gives up on one order.
 *
 * @param retryBudget     total time a checkout may spend retrying connection and read-only errors
 * @param firstBackoff    pause after the first failed attempt; it doubles up to {@code maxBackoff}
 * @param connectTimeout  generous: during a switchover HAProxy holds a new connection (no greeting)
 *                        for the length of the write pause, and a held connection is not a failure
 * @param socketTimeout   bounds a write whose server went silent, so its outcome gets resolved by a retry
 * @param maxIdlePerWriter idle connections kept per writer frontend; 0 opens a new connection per checkout
 */
public record CheckoutOptions(Duration retryBudget, Duration firstBackoff, Duration maxBackoff,
                              Duration connectTimeout, Duration socketTimeout, int maxIdlePerWriter) {

    public CheckoutOptions {
        if (retryBudget.isNegative()) throw new IllegalArgumentException("retryBudget is negative: " + retryBudget);
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= first <= max, got "
                    + firstBackoff + " and " + maxBackoff);
        }
        if (maxIdlePerWriter < 0) throw new IllegalArgumentException("maxIdlePerWriter is negative: " + maxIdlePerWriter);
    }

    public static CheckoutOptions defaults() {
        return new CheckoutOptions(Duration.ofSeconds(2), Duration.ofMillis(5), Duration.ofMillis(20),
                Duration.ofSeconds(3), Duration.ofSeconds(3), 32);
    }

    /** The pause after failed attempt number {@code attempt} (1-based): first, 2x, 4x, ... capped at max. */
    public Duration backoffAfter(int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        Duration d = firstBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
