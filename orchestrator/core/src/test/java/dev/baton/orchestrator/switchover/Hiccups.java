package dev.baton.orchestrator.switchover;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stalls of this JVM (GC, safepoints) or of the whole machine, as a thread that asks to sleep 1 ms
 * sees them: reported beside a failed write, so a reader knows what the machine was doing then.
 */
final class Hiccups implements AutoCloseable {
    private final long thresholdNanos;
    private final List<long[]> stalls = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Hiccups(long thresholdMs) {
        this.thresholdNanos = thresholdMs * 1_000_000;
        this.thread = Thread.ofPlatform().daemon().name("hiccups").start(this::loop);
    }

    private void loop() {
        while (running) {
            long before = System.nanoTime();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
            long after = System.nanoTime();
            if (after - before - 1_000_000 > thresholdNanos) stalls.add(new long[]{before, after});
        }
    }

    /** Whether a stall overlapped the window [from, to] (System.nanoTime values). */
    boolean during(long from, long to) {
        return stalls.stream().anyMatch(s -> s[0] <= to && s[1] >= from);
    }

    int count() {
        return stalls.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(1_000);
    }
}
