package dev.baton.runbooks.model;

import java.time.Duration;

/**
 * Further attempts after a failed one, waiting {@code backoff}, then {@code multiplier} times longer each time.
 *
 * @param attempts extra attempts; 0 means the step runs once
 */
public record Retry(int attempts, Duration backoff, double multiplier) {
    public static final Retry NONE = new Retry(0, Duration.ZERO, 1);

    /** The wait before attempt {@code n} (1 = the first retry). */
    public Duration backoffBefore(int n) {
        return Duration.ofNanos((long) (backoff.toNanos() * Math.pow(multiplier, n - 1)));
    }
}
