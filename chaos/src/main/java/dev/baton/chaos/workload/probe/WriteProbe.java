package dev.baton.chaos.workload.probe;

import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures a shard's write availability: every interval, on its own virtual thread, a NEW
 * connection as the app user through a writer frontend and one INSERT, with no retry. A new
 * connection each time is the point: it sees exactly what a fresh client sees during a
 * switchover (held, refused, fenced, or fine).
 */
public final class WriteProbe implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int SOCKET_TIMEOUT_MS = 3_000;

    private final String shard;
    private final String url;
    private final Credentials credentials;
    private final Duration interval;
    private final ExecutorService writes = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<ProbeAttempt> attempts = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private Thread scheduler;

    public WriteProbe(String shard, Endpoint writer, Credentials credentials, Duration interval) {
        this.shard = shard;
        this.url = Jdbc.url(writer, credentials.database(), CONNECT_TIMEOUT_MS, SOCKET_TIMEOUT_MS);
        this.credentials = credentials;
        this.interval = interval;
    }

    /** The benchmark's probe: every 10 ms. */
    public static WriteProbe every10ms(String shard, Endpoint writer, Credentials credentials) {
        return new WriteProbe(shard, writer, credentials, Duration.ofMillis(10));
    }

    public synchronized WriteProbe start() {
        if (scheduler != null) throw new IllegalStateException("probe of shard " + shard + " already started");
        running = true;
        scheduler = Thread.ofPlatform().name("probe-" + shard).daemon().start(this::schedule);
        return this;
    }

    /** The attempts so far (those in flight are not in it yet). */
    public ProbeResult snapshot() {
        return new ProbeResult(shard, new ArrayList<>(attempts));
    }

    /** Stops probing, waits for the writes in flight (bounded by the timeouts), returns every attempt. */
    public synchronized ProbeResult stop() throws InterruptedException {
        if (scheduler == null) throw new IllegalStateException("probe of shard " + shard + " not started");
        running = false;
        scheduler.join();
        writes.shutdown();
        if (!writes.awaitTermination(CONNECT_TIMEOUT_MS + SOCKET_TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS)) {
            writes.shutdownNow();
        }
        return snapshot();
    }

    private void schedule() {
        long period = interval.toNanos();
        long next = System.nanoTime();
        while (running) {
            writes.execute(this::write);
            next += period;
            long now = System.nanoTime();
            // After a machine stall, skip the missed slots: a burst of probes would only blur the gap.
            if (now - next > period) next = now;
            for (long wait = next - System.nanoTime(); wait > 0 && running; wait = next - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private void write() {
        long start = System.nanoTime();
        String error = null;
        try (Connection c = DriverManager.getConnection(url, credentials.appUser(), credentials.appPassword());
             PreparedStatement insert = c.prepareStatement("INSERT INTO probe(shard, at) VALUES (?, NOW(6))")) {
            insert.setString(1, shard);
            insert.executeUpdate();
        } catch (SQLException e) {
            error = e.getErrorCode() + " " + e.getMessage();
        }
        attempts.add(new ProbeAttempt(start, System.nanoTime(), error));
    }

    @Override
    public void close() throws InterruptedException {
        if (running) stop();
    }
}
