package dev.baton.chaos.workload.load;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds. */
public record LatencySummary(double p50Ms, double p99Ms, double maxMs) {

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0);

    /** From a histogram recorded in microseconds. */
    public static LatencySummary ofMicros(Histogram micros) {
        if (micros.getTotalCount() == 0) return EMPTY;
        return new LatencySummary(ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(99)),
                ms(micros.getMaxValue()));
    }

    private static double ms(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }
}
