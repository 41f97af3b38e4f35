package dev.baton.orchestrator.switchover;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Times the named steps of one shard's switchover or reconciliation, from the moment it began. */
final class StepClock {
    private final long started = System.nanoTime();
    private final List<StepTiming> steps = new ArrayList<>();

    /** Runs {@code work} and records how long it took, whether it returned or threw. */
    <T> T time(String name, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            record(name, start);
        }
    }

    /** Records a step that began at {@code startNanos} and ends now. */
    void record(String name, long startNanos) {
        steps.add(new StepTiming(name, ms(startNanos - started), ms(System.nanoTime() - startNanos)));
    }

    List<StepTiming> timings() {
        return steps;
    }

    long started() {
        return started;
    }

    double elapsedMs() {
        return ms(System.nanoTime() - started);
    }

    /** Milliseconds with one decimal. */
    static double ms(long nanos) {
        return Math.round(nanos / 100_000.0) / 10.0;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
