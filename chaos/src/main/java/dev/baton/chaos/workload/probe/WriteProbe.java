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
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures a shard's write availability as the app user through a writer frontend, one INSERT
 * every interval, never retried. Two kinds of client, because they see a switchover differently:
 * <ul>
 *   <li>{@link Mode#FRESH}: a NEW connection per write, each on its own platform thread (open loop).
 *   It sees exactly what a fresh client sees (held, refused, fenced, or fine), but a connection costs
 *   about 3 ms of CPU here (driver, HAProxy, MariaDB), so it cannot run every 10 ms on many shards
 *   of a 2-core machine without becoming the load it measures.</li>
 *   <li>{@link Mode#POOLED}: one connection kept open, one write at a time; after a failure it drops
 *   the connection and the next tick connects again. Cheap (≈0.2 ms a write), so it can run every
 *   10 ms per shard and measure the write pause; a switchover necessarily costs it the write that
 *   meets the fence, since its server is the one being fenced.</li>
 * </ul>
 */
public final class WriteProbe implements AutoCloseable {
    public enum Mode { FRESH, POOLED }

    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int SOCKET_TIMEOUT_MS = 3_000;

    private final String shard;
    private final String url;
    private final Credentials credentials;
    private final Duration interval;
    private final Mode mode;
    /**
     * A platform thread per write, as a client process of its own would have: on a virtual thread it queued behind the
     * load generator's hundreds of tasks on this JVM's two carriers, and sat 40-100 ms between its login and its
     * statement, which measured this JVM's queue rather than the switchover.
     */
    private final ExecutorService writes = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("probe-write-", 0).daemon().factory());
    private final ConcurrentLinkedQueue<ProbeAttempt> attempts = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    private Thread scheduler;
    private Connection pooled; // POOLED only; touched by the scheduler thread alone
    private volatile long pooledSessionId = -1; // its server's connection id, for a bench that ends it on purpose

    public WriteProbe(String shard, Endpoint writer, Credentials credentials, Duration interval, Mode mode) {
        this.shard = shard;
        this.url = Jdbc.url(writer, credentials.database(), CONNECT_TIMEOUT_MS, SOCKET_TIMEOUT_MS);
        this.credentials = credentials;
        this.interval = interval;
        this.mode = mode;
    }

    /** A new connection per write, every 10 ms. */
    public static WriteProbe every10ms(String shard, Endpoint writer, Credentials credentials) {
        return new WriteProbe(shard, writer, credentials, Duration.ofMillis(10), Mode.FRESH);
    }

    public synchronized WriteProbe start() {
        if (scheduler != null) throw new IllegalStateException("probe of shard " + shard + " already started");
        running = true;
        scheduler = Thread.ofPlatform().name("probe-" + mode.name().toLowerCase() + "-" + shard).daemon()
                .start(this::schedule);
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
        try {
            while (running) {
                if (mode == Mode.FRESH) writes.execute(this::freshWrite);
                else pooledWrite(); // in line: a write that blocks holds back the next tick, as a real pooled client
                next += period;
                long now = System.nanoTime();
                // After a stall, skip the missed slots: a burst of probes would only blur the gap.
                if (now - next > period) next = now;
                for (long wait = next - System.nanoTime(); wait > 0 && running; wait = next - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
            }
        } finally {
            closePooled();
        }
    }

    private void freshWrite() {
        long start = System.nanoTime();
        String error = null;
        try (Connection c = connect(); PreparedStatement insert = insert(c)) {
            insert.executeUpdate();
        } catch (SQLException e) {
            error = e.getErrorCode() + " " + e.getMessage();
        }
        attempts.add(new ProbeAttempt(start, System.nanoTime(), error));
    }

    private void pooledWrite() {
        long start = System.nanoTime();
        String error = null;
        try {
            if (pooled == null) {
                pooled = connect();
                pooledSessionId = pooled.unwrap(org.mariadb.jdbc.Connection.class).getThreadId();
            }
            try (PreparedStatement insert = insert(pooled)) {
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            error = e.getErrorCode() + " " + e.getMessage();
            closePooled(); // no retry: the next tick starts over on a new connection
        }
        attempts.add(new ProbeAttempt(start, System.nanoTime(), error));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials.appUser(), credentials.appPassword());
    }

    private PreparedStatement insert(Connection c) throws SQLException {
        PreparedStatement insert = c.prepareStatement("INSERT INTO probe(shard, at) VALUES (?, NOW(6))");
        insert.setString(1, shard);
        return insert;
    }

    /**
     * The server's id of the POOLED probe's connection (its handshake's, passed through by a proxy); empty while it has
     * none.
     */
    public OptionalLong pooledSessionId() {
        long id = pooledSessionId;
        return id < 0 ? OptionalLong.empty() : OptionalLong.of(id);
    }

    private void closePooled() {
        pooledSessionId = -1;
        if (pooled == null) return;
        try {
            pooled.close();
        } catch (SQLException ignored) {
            // Already broken: that is why it is being dropped.
        }
        pooled = null;
    }

    @Override
    public void close() throws InterruptedException {
        if (running) stop();
    }
}
