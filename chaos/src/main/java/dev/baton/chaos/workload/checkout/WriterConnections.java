package dev.baton.chaos.workload.checkout;

import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Idle connections to writer frontends, kept so a checkout does not pay a new connection
 * (measured 1.6-3.4 ms through HAProxy here) for every order. A connection goes back only after a
 * successful write; after ANY error it is closed. That is the difference from the driver's own
 * pool, which keeps a connection that merely got "read-only": behind HAProxy such a connection
 * stays on the old, fenced primary after a switchover, so reusing it would only fail again.
 */
final class WriterConnections implements AutoCloseable {
    private final Credentials credentials;
    private final CheckoutOptions options;
    private final Map<Endpoint, LinkedBlockingDeque<Connection>> idle = new ConcurrentHashMap<>();

    WriterConnections(Credentials credentials, CheckoutOptions options) {
        this.credentials = credentials;
        this.options = options;
    }

    /** An idle connection to this writer, or a new one. */
    Connection borrow(Endpoint writer) throws SQLException {
        Connection reused = idleOf(writer).pollFirst();
        if (reused != null) return reused;
        String url = Jdbc.url(writer, credentials.database(),
                (int) options.connectTimeout().toMillis(), (int) options.socketTimeout().toMillis());
        return DriverManager.getConnection(url, credentials.appUser(), credentials.appPassword());
    }

    /** Keeps a connection that just wrote successfully, unless enough are idle already. */
    void giveBack(Endpoint writer, Connection connection) {
        if (options.maxIdlePerWriter() == 0 || !idleOf(writer).offerFirst(connection)) closeQuietly(connection);
    }

    /** Drops a connection that failed: it may be dead, killed by a fence, or on a fenced primary. */
    void discard(Connection connection) {
        closeQuietly(connection);
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
