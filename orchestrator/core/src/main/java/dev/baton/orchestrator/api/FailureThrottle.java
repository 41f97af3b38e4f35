package dev.baton.orchestrator.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: per key (a user name, an address), failures in a row beyond {@code free}
 * each double the wait before the next attempt, up to {@code max}. A key with no failure for
 * {@code forgetAfter} starts again from nothing.
 */
public final class FailureThrottle {
    private record Failures(int count, Instant last) {}

    private static final int MAX_KEYS = 10_000;

    private final int free;
    private final Duration base;
    private final Duration max;
    private final Duration forgetAfter;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public FailureThrottle(int free, Duration base, Duration max, Duration forgetAfter) {
        this.free = free;
        this.base = base;
        this.max = max;
        this.forgetAfter = forgetAfter;
    }

    /** How long before {@code key} may try again; zero when it may now. */
    public Duration wait(String key, Instant now) {
        Failures f = failures.get(key);
        if (f == null) return Duration.ZERO;
        Duration left = Duration.between(now, f.last().plus(penalty(f.count())));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Counts a failure; returns how many there have been in a row. */
    public int failed(String key, Instant now) {
        if (failures.size() > MAX_KEYS) failures.values().removeIf(f -> f.last().plus(forgetAfter).isBefore(now));
        return failures.merge(key, new Failures(1, now), (old, one) -> old.last().plus(forgetAfter).isBefore(now)
                ? one : new Failures(old.count() + 1, now)).count();
    }

    public void succeeded(String key) {
        failures.remove(key);
    }

    /** The wait after {@code count} failures in a row. */
    public Duration penalty(int count) {
        if (count <= free) return Duration.ZERO;
        int doublings = Math.min(count - free - 1, 30);
        Duration d = base.multipliedBy(1L << doublings);
        return d.compareTo(max) > 0 ? max : d;
    }
}
