package dev.baton.orchestrator.health;

import java.time.Duration;

/**
 * The view's thresholds.
 *
 * @param silentAfter    an agent with no report for this long is silent
 * @param minHold        a new verdict must hold this long before it replaces the current one
 * @param minEvaluations ... and over at least this many consecutive evaluations
 * @param maxLagSeconds  a replica lagging more is a problem
 * @param flapWindow     how far back verdict changes are counted to call a DC flapping
 * @param flapChanges    this many changes of the raw verdict within the window is flapping
 * @param observationStaleAfter a coordinator's observation not renewed for this long no longer counts
 */
public record HealthPolicy(Duration silentAfter, Duration minHold, int minEvaluations, long maxLagSeconds,
                           Duration flapWindow, int flapChanges, Duration observationStaleAfter) {
    public HealthPolicy {
        if (!silentAfter.isPositive()) throw new IllegalArgumentException("silentAfter must be positive: " + silentAfter);
        if (minHold.isNegative()) throw new IllegalArgumentException("minHold must not be negative: " + minHold);
        if (minEvaluations < 1) throw new IllegalArgumentException("minEvaluations must be at least 1: " + minEvaluations);
        if (maxLagSeconds < 0) throw new IllegalArgumentException("maxLagSeconds must not be negative: " + maxLagSeconds);
        if (!flapWindow.isPositive()) throw new IllegalArgumentException("flapWindow must be positive: " + flapWindow);
        if (flapChanges < 2) throw new IllegalArgumentException("flapChanges must be at least 2: " + flapChanges);
        if (!observationStaleAfter.isPositive()) {
            throw new IllegalArgumentException("observationStaleAfter must be positive: " + observationStaleAfter);
        }
    }

    /**
     * Agents probe every second and report a change at once, an unchanged state every 2 s: an agent is silent 3 s
     * after its last report (a dead one as fast as when every round was sent), a late heartbeat has a second of
     * slack; a verdict must hold 2 s.
     * Coordinators rewrite an unchanged observation every 2 s: two missed rewrites make it stale.
     */
    public static HealthPolicy defaults() {
        return new HealthPolicy(Duration.ofSeconds(3), Duration.ofSeconds(2), 2, 5, Duration.ofSeconds(60), 4,
                Duration.ofSeconds(5));
    }
}
