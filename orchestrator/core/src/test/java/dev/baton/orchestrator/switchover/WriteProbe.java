package dev.baton.orchestrator.switchover;

import dev.baton.wire.Endpoint;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The harshest client: every ~10 ms a NEW connection through a writer frontend, one insert as
 * the app user, no retry. Any error is a failed write; the gaps between successful writes are the pause.
 */
final class WriteProbe implements AutoCloseable {
    private static final long INTERVAL_MS = 10;

    private final Sql sql;
    private final Endpoint writer;
    private final String shard;
    private final List<long[]> successes = new CopyOnWriteArrayList<>();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();

    /** A write that failed, between {@code startNanos} and {@code endNanos} (System.nanoTime). */
    record Failure(String message, long startNanos, long endNanos) {
        @Override
        public String toString() {
            return message;
        }
    }
    private final Thread thread;
    private volatile boolean running = true;

    WriteProbe(Sql sql, Endpoint writer, String shard) {
        this.sql = sql;
        this.writer = writer;
        this.shard = shard;
        this.thread = Thread.ofPlatform().name("probe-" + shard + "-" + writer).start(this::loop);
    }

    private void loop() {
        while (running) {
            long start = System.nanoTime();
            try (Connection c = sql.app(writer, 6000); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO probe(shard) VALUES ('" + shard + "')");
                successes.add(new long[]{start, System.nanoTime()});
            } catch (Exception e) {
                failures.add(new Failure(e.getMessage(), start, System.nanoTime()));
            }
            long sleep = INTERVAL_MS - (System.nanoTime() - start) / 1_000_000;
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Marks "now" so {@link #longestGapMsSince} can look at one window only. */
    long mark() {
        return System.nanoTime();
    }

    int successCount() {
        return successes.size();
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** The longest time between two consecutive acknowledged writes that finished after {@code since}. */
    double longestGapMsSince(long since) {
        List<Long> ends = new ArrayList<>();
        for (long[] s : successes) if (s[1] >= since) ends.add(s[1]);
        double longest = 0;
        for (int i = 1; i < ends.size(); i++) longest = Math.max(longest, (ends.get(i) - ends.get(i - 1)) / 1e6);
        return longest;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
