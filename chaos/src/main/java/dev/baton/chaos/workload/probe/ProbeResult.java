package dev.baton.chaos.workload.probe;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shard's probe writes, ordered by start. A switchover's write pause is the longest stretch of
 * its window in which no write committed.
 */
public record ProbeResult(String shard, List<ProbeAttempt> attempts) {

    public ProbeResult {
        attempts = attempts.stream().sorted(Comparator.comparingLong(ProbeAttempt::startNanos)).toList();
    }

    /**
     * The longest interval inside [fromNanos, toNanos] with no successful write completing, in ms.
     * The window's edges count as boundaries, so a window with no success at all is one whole gap.
     */
    public double maxGapMs(long fromNanos, long toNanos) {
        if (toNanos < fromNanos) throw new IllegalArgumentException("window ends before it starts");
        long[] ends = attempts.stream().filter(ProbeAttempt::ok).mapToLong(ProbeAttempt::endNanos)
                .filter(t -> t >= fromNanos && t <= toNanos).sorted().toArray();
        long previous = fromNanos;
        long longest = 0;
        for (long end : ends) {
            longest = Math.max(longest, end - previous);
            previous = end;
        }
        longest = Math.max(longest, toNanos - previous);
        return longest / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

    /** Failed writes that ended inside [fromNanos, toNanos]. */
    public long failures(long fromNanos, long toNanos) {
        return attempts.stream().filter(a -> !a.ok() && a.endNanos() >= fromNanos && a.endNanos() <= toNanos).count();
    }

    /** The failed attempts' errors inside the window, for a person reading why. */
    public List<String> errors(long fromNanos, long toNanos) {
        return attempts.stream().filter(a -> !a.ok() && a.endNanos() >= fromNanos && a.endNanos() <= toNanos)
                .map(ProbeAttempt::error).toList();
    }
}
