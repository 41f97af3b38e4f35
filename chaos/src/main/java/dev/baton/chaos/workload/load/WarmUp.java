package dev.baton.chaos.workload.load;

import java.util.List;

/**
 * How a warm-up by measurement went (see {@link LoadGenerator#awaitSteady}).
 *
 * @param steady          whether latency reached its steady level before the limit
 * @param seconds         how long it took (or the limit, when it did not)
 * @param steadyP99Ms     the lowest one-second p99 seen: the steady level
 * @param p99PerSecondMs  every second's p99 in order; null for a second in which no checkout completed
 */
public record WarmUp(boolean steady, double seconds, double steadyP99Ms, List<Double> p99PerSecondMs) {
    public WarmUp {
        p99PerSecondMs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(p99PerSecondMs));
    }
}
