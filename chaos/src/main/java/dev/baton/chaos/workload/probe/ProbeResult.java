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

    /**
     * The longest stretch with no write committing that begins inside [fromNanos, toNanos], in ms,
     * counted whole: from the window's start (or a commit inside it) to the next commit, wherever
     * that falls, so a pause that outlasts the window is not cut at its end. When nothing committed
     * after it, the stretch runs to the probe's last attempt (or the window's end, if later).
     */
    public double pauseMs(long fromNanos, long toNanos) {
        if (toNanos < fromNanos) throw new IllegalArgumentException("window ends before it starts");
        long[] ends = attempts.stream().filter(ProbeAttempt::ok).mapToLong(ProbeAttempt::endNanos)
                .filter(t -> t >= fromNanos).sorted().toArray();
        long previous = fromNanos;
        long longest = 0;
        for (long end : ends) {
            if (previous > toNanos) break; // a stretch beginning after the window is not this window's
            longest = Math.max(longest, end - previous);
            previous = end;
        }
        if (previous <= toNanos) { // nothing committed after `previous`
            long lastWord = attempts.stream().mapToLong(ProbeAttempt::endNanos).max().orElse(toNanos);
            longest = Math.max(longest, Math.max(lastWord, toNanos) - previous);
        }
        return longest / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

    /** The failed writes that overlapped [fromNanos, toNanos] at all: begun before it ended, ended after it began. */
    public List<ProbeAttempt> failedOverlapping(long fromNanos, long toNanos) {
        return attempts.stream().filter(a -> !a.ok() && a.startNanos() <= toNanos && a.endNanos() >= fromNanos).toList();
    }

    /** Every failed write. */
    public List<ProbeAttempt> failed() {
        return attempts.stream().filter(a -> !a.ok()).toList();
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
