package dev.baton.chaos.bench;

import java.util.Collection;

/** Median, 90th percentile and maximum of a set of measurements (nearest-rank). */
public record Summary(int n, double p50, double p90, double max) {

    public static Summary of(Collection<? extends Number> values) {
        double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        if (v.length == 0) return new Summary(0, 0, 0, 0);
        return new Summary(v.length, rank(v, 0.50), rank(v, 0.90), v[v.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    @Override
    public String toString() {
        return "p50 %.1f / p90 %.1f / max %.1f (n=%d)".formatted(p50, p90, max, n);
    }

    static double ratio(double baseline, double ours) {
        return ours <= 0 ? (baseline <= 0 ? 1.0 : Double.POSITIVE_INFINITY) : baseline / ours;
    }

    static String fmt(double v) {
        return Double.isInfinite(v) ? "∞" : String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
