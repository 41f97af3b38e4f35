package dev.baton.agents.probe;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Asks one MariaDB server, as the admin account, for its role, replication threads, lag and GTID
 * positions. A fresh connection per round: a pooled one would hide a server that stopped accepting.
 */
public final class MariaDbProber implements Prober {
    private final DbServer server;
    private final Credentials credentials;
    private final int timeoutMs;

    public MariaDbProber(DbServer server, Credentials credentials, Duration timeout) {
        this.server = server;
        this.credentials = credentials;
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
    }

    @Override
    public MariaDbProbe run() {
        long started = System.nanoTime();
        // The socket timeout bounds every query too, so a hung server cannot stall the round.
        try (Connection connection = DriverManager.getConnection(
                Jdbc.url(server.endpoint(), credentials.database(), timeoutMs, timeoutMs),
                credentials.adminUser(), credentials.adminPassword());
             Statement statement = connection.createStatement()) {
            boolean readOnly;
            String binlogPos;
            String currentPos;
            try (ResultSet rs = statement.executeQuery(
                    "SELECT @@global.read_only, @@global.gtid_binlog_pos, @@global.gtid_current_pos")) {
                rs.next();
                readOnly = rs.getBoolean(1);
                binlogPos = rs.getString(2);
                currentPos = rs.getString(3);
            }
            try (ResultSet rs = statement.executeQuery("SHOW SLAVE STATUS")) {
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
        } catch (SQLException | RuntimeException e) {
            return MariaDbProbe.unreachable(server.id(), server.endpoint(), Elapsed.millisSince(started),
                    server.id() + " at " + server.endpoint() + ": " + Elapsed.describe(e));
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
