package dev.baton.agents.probe;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;

import org.mariadb.jdbc.MariaDbDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Asks one MariaDB server, as the admin account, for its role, replication threads, lag and GTID
 * positions. The connection is kept between rounds (a new one every round cost the agent most of its
 * CPU, and the server a thread and a login each second); any error drops it, and it is replaced
 * anyway every {@link #RECONNECT_EVERY} so that a server that stopped accepting new connections shows
 * within that time. Whether the server still listens at all, other DCs' agents and every coordinator
 * check with a TCP connect every second. Five minutes, not one: with a
 * login (handshake, password hash) to every server each minute, a young agent was still compiling the
 * driver's connect path in its second and third minutes (PrintCompilation: nearly all of its compiles
 * after the first minute). What waits longer to show is a server refusing new logins while it keeps
 * the old ones (max_connections reached).
 */
public final class MariaDbProber implements Prober, AutoCloseable {
    static final Duration RECONNECT_EVERY = Duration.ofMinutes(5);

    private final DbServer server;
    private final Credentials credentials;
    private final int timeoutMs;
    private final MariaDbDataSource source;
    /** A round that overran the agent's interval may still run when the next starts: they must not share the connection. */
    private final ReentrantLock running = new ReentrantLock();
    private Connection connection;
    private long connectedAt;

    public MariaDbProber(DbServer server, Credentials credentials, Duration timeout) {
        this.server = server;
        this.credentials = credentials;
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
        try {
            // The socket timeout bounds every query too, so a hung server cannot stall the round.
            // Both questions in one round trip (see query).
            this.source = new MariaDbDataSource(Jdbc.url(server.endpoint(), credentials.database(), timeoutMs, timeoutMs)
                    + "&allowMultiQueries=true");
            source.setUser(credentials.adminUser());
            source.setPassword(credentials.adminPassword());
        } catch (SQLException e) {
            throw new IllegalArgumentException("bad JDBC settings for " + server.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public MariaDbProbe run() {
        long started = System.nanoTime();
        if (!running.tryLock()) {
            return MariaDbProbe.unreachable(server.id(), server.endpoint(), Elapsed.millisSince(started),
                    server.id() + " at " + server.endpoint() + ": the previous round's query has not returned yet");
        }
        try {
            return ask(started);
        } finally {
            running.unlock();
        }
    }

    private MariaDbProbe ask(long started) {
        try {
            if (connection != null && System.nanoTime() - connectedAt > RECONNECT_EVERY.toNanos()) drop();
            if (connection == null) {
                connection = source.getConnection();
                connectedAt = System.nanoTime();
            }
            try (Statement statement = connection.createStatement()) {
                return query(statement, started);
            }
        } catch (SQLException | RuntimeException e) {
            drop();
            return MariaDbProbe.unreachable(server.id(), server.endpoint(), Elapsed.millisSince(started),
                    server.id() + " at " + server.endpoint() + ": " + Elapsed.describe(e));
        }
    }

    private MariaDbProbe query(Statement statement, long started) throws SQLException {
        boolean readOnly;
        String binlogPos;
        String currentPos;
        statement.execute("SELECT @@global.read_only, @@global.gtid_binlog_pos, @@global.gtid_current_pos; SHOW SLAVE STATUS");
        try (ResultSet rs = statement.getResultSet()) {
            rs.next();
            readOnly = rs.getBoolean(1);
            binlogPos = rs.getString(2);
            currentPos = rs.getString(3);
        }
        if (!statement.getMoreResults()) throw new SQLException("no answer to SHOW SLAVE STATUS from " + server.id());
        try (ResultSet rs = statement.getResultSet()) {
            if (!rs.next()) {
                return new MariaDbProbe(server.id(), server.endpoint(), true, readOnly, false, false, false, null,
                        binlogPos, currentPos, Elapsed.millisSince(started), null);
            }
            long lag = rs.getLong("Seconds_Behind_Master");
            Long lagSeconds = rs.wasNull() ? null : lag;
            return new MariaDbProbe(server.id(), server.endpoint(), true, readOnly, true,
                    "Yes".equals(rs.getString("Slave_IO_Running")), "Yes".equals(rs.getString("Slave_SQL_Running")),
                    lagSeconds, binlogPos, currentPos, Elapsed.millisSince(started), replicationError(rs));
        }
    }

    private void drop() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            // Broken already: that is why it goes.
        }
        connection = null;
    }

    @Override
    public void close() {
        running.lock();
        try {
            drop();
        } finally {
            running.unlock();
        }
    }

    @Override
    public Probe failed(String error) {
        return MariaDbProbe.unreachable(server.id(), server.endpoint(), timeoutMs, server.id() + " at "
                + server.endpoint() + ": " + error);
    }

    /** The replication threads' last errors, when there are any: why a replica is not replicating. */
    private static String replicationError(ResultSet rs) throws SQLException {
        String io = rs.getString("Last_IO_Error");
        String sql = rs.getString("Last_SQL_Error");
        boolean hasIo = io != null && !io.isBlank();
        boolean hasSql = sql != null && !sql.isBlank();
        if (!hasIo && !hasSql) return null;
        return (hasIo ? "IO: " + io : "") + (hasIo && hasSql ? "; " : "") + (hasSql ? "SQL: " + sql : "");
    }
}
