package dev.baton.chaos.workload.checkout;

import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Idle connections to writer frontends, kept so a checkout does not pay a new connection
 * (measured 1.6-3.4 ms through HAProxy here) for every order. A connection goes back only after a
 * successful write; after ANY error it is closed. That is the difference from the driver's own
 * pool, which keeps a connection that merely got "read-only": behind HAProxy such a connection
 * stays on the old, fenced primary after a switchover, so reusing it would only fail again.
 *
 * <p>At most {@link #MAX_IN_USE_PER_WRITER} connections per writer are in use at once; a checkout
 * beyond that waits for one. Unbounded, a cold app that suddenly takes a whole DC's traffic during a
 * switchover's hold opened a new connection for every request (each ≈3 ms of CPU here) and stalled
 * for seconds.
 */
final class WriterConnections implements AutoCloseable {
    private final Credentials credentials;
    private final CheckoutOptions options;
    static final int MAX_IN_USE_PER_WRITER = 32;

    private final Map<Endpoint, LinkedBlockingDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<Endpoint, Semaphore> inUse = new ConcurrentHashMap<>();
    private final Map<Connection, Endpoint> borrowed = new ConcurrentHashMap<>();

    WriterConnections(Credentials credentials, CheckoutOptions options) {
        this.credentials = credentials;
        this.options = options;
    }

    /** An idle connection to this writer, or a new one; waits (up to the connect timeout) while too many are in use. */
    Connection borrow(Endpoint writer) throws SQLException {
        Semaphore permits = inUse.computeIfAbsent(writer, w -> new Semaphore(MAX_IN_USE_PER_WRITER));
        try {
            if (!permits.tryAcquire(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLTransientConnectionException("all " + MAX_IN_USE_PER_WRITER + " connections to writer "
                        + writer + " stayed busy for " + options.connectTimeout().toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for a connection to " + writer, e);
        }
        try {
            Connection c = idleOf(writer).pollFirst();
            if (c == null) {
                String url = Jdbc.url(writer, credentials.database(),
                        (int) options.connectTimeout().toMillis(), (int) options.socketTimeout().toMillis());
                c = DriverManager.getConnection(url, credentials.appUser(), credentials.appPassword());
            }
            borrowed.put(c, writer);
            return c;
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Keeps a connection that just wrote successfully, unless enough are idle already. */
    void giveBack(Endpoint writer, Connection connection) {
        release(connection);
        if (options.maxIdlePerWriter() == 0 || !idleOf(writer).offerFirst(connection)) closeQuietly(connection);
    }

    /** Drops a connection that failed: it may be dead, killed by a fence, or on a fenced primary. */
    void discard(Connection connection) {
        release(connection);
        closeQuietly(connection);
    }

    private void release(Connection connection) {
        Endpoint writer = borrowed.remove(connection);
        if (writer != null) inUse.get(writer).release();
    }

    private LinkedBlockingDeque<Connection> idleOf(Endpoint writer) {
        return idle.computeIfAbsent(writer, w -> new LinkedBlockingDeque<>(Math.max(1, options.maxIdlePerWriter())));
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Already broken; nothing left to release.
        }
    }

    @Override
    public void close() {
        idle.values().forEach(q -> {
            for (Connection c; (c = q.pollFirst()) != null; ) closeQuietly(c);
        });
    }
}
