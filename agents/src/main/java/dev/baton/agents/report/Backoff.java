package dev.baton.agents.report;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": after the n-th consecutive failure wait between half
 * and all of {@code min(max, initial * 2^(n-1))}. The jitter keeps the agents of a DC from
 * hammering a coordinator in step when it comes back; the floor keeps the wait from collapsing.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        if (initial.isNegative() || initial.isZero()) throw new IllegalArgumentException("backoff initial must be positive: " + initial);
        if (max.compareTo(initial) < 0) throw new IllegalArgumentException("backoff max " + max + " is below its initial " + initial);
    }

    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10));
    }

    /** The wait after {@code consecutiveFailures} (1 or more) failures in a row. */
    public Duration delay(int consecutiveFailures, RandomGenerator random) {
        if (consecutiveFailures < 1) return Duration.ZERO;
        long ceiling = initial.toMillis();
        for (int i = 1; i < consecutiveFailures && ceiling < max.toMillis(); i++) ceiling *= 2;
        ceiling = Math.min(ceiling, max.toMillis());
        long half = ceiling / 2;
        return Duration.ofMillis(half + random.nextLong(ceiling - half + 1));
    }
}
