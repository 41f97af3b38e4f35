package dev.baton.chaos.workload.checkout;

import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import org.mariadb.jdbc.MariaDbDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * Idle connections to writer frontends, kept so a checkout does not pay a new connection
 * (measured 1.6-3.4 ms through HAProxy here) for every order. A connection goes back only after a
 * successful write; after ANY error it is closed. That is the difference from the driver's own
 * pool, which keeps a connection that merely got "read-only": behind HAProxy such a connection
 * stays on the old, fenced primary after a switchover, so reusing it would only fail again.
 *
 * <p>New connections come from one {@link MariaDbDataSource} per writer frontend, not from
 * {@code DriverManager}: the 4.0 driver parses a URL into a configuration by scanning the class
 * path for codecs, and doing that per connection made a cold app under load queue hundreds of
 * checkouts behind the scan (seen in thread dumps: 532 requests in {@code Configuration.loadCodecs}).
 *
 * <p>How many are in use per writer at once is the shard's bulkhead's business ({@link ShardBulkheads}):
 * a new connection is opened only when none is idle, so a writer never has more connections than
 * turns, held shard or not.
 */
final class WriterConnections implements AutoCloseable {
    private final Credentials credentials;
    private final CheckoutOptions options;
    private final Map<Endpoint, LinkedBlockingDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final Map<Endpoint, MariaDbDataSource> sources = new ConcurrentHashMap<>();

    WriterConnections(Credentials credentials, CheckoutOptions options) {
        this.credentials = credentials;
        this.options = options;
    }

    /** An idle connection to this writer, or a new one. */
    Connection borrow(Endpoint writer) throws SQLException {
        Connection reused = idleOf(writer).pollFirst();
        if (reused != null) return reused;
        return sourceOf(writer).getConnection();
    }

    /**
     * Parses every writer's configuration now, before the app takes requests, so the first
     * checkouts do not pay the driver's start-up. Connects to nothing: a writer that is down at
     * start must not stop the app.
     */
    void warmUp(Collection<Endpoint> writers) throws SQLException {
        for (Endpoint writer : writers) sourceOf(writer);
    }

    private MariaDbDataSource sourceOf(Endpoint writer) throws SQLException {
        MariaDbDataSource source = sources.get(writer);
        if (source != null) return source;
        source = new MariaDbDataSource(Jdbc.url(writer, credentials.database(),
                (int) options.connectTimeout().toMillis(), (int) options.socketTimeout().toMillis()));
        source.setUser(credentials.appUser());
        source.setPassword(credentials.appPassword());
        MariaDbDataSource raced = sources.putIfAbsent(writer, source);
        return raced != null ? raced : source;
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
