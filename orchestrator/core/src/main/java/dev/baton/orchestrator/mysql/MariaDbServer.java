package dev.baton.orchestrator.mysql;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The MySQL actuator for one MariaDB server, as the admin account (it bypasses read_only). It
 * keeps one connection, opened by {@link #connect()} or on first use, so a switchover can pay the
 * connection cost before writes are held. Not thread-safe: one switchover step at a time uses it.
 */
public final class MariaDbServer implements AutoCloseable {
    /** Connections are opened before writes are held, so a generous bound costs no pause (a dropped SYN is retried after 1 s). */
    private static final int CONNECT_TIMEOUT_MS = 3000;
    /** Every statement but the catch-up wait is short; a server that does not answer in time is treated as failed. */
    private static final int STATEMENT_TIMEOUT_MS = 3000;
    private static final Executor DIRECT = Runnable::run;

    private final DbServer server;
    private final Credentials credentials;
    private Connection connection;

    public MariaDbServer(DbServer server, Credentials credentials) {
        this.server = server;
        this.credentials = credentials;
    }

    public DbServer server() {
        return server;
    }

    public MariaDbServer connect() {
        connection();
        return this;
    }

    /**
     * The id of this actuator's own session. Ids grow with every new connection, so a client
     * session with a higher id connected after this actuator did.
     */
    public long connectionId() {
        return query("read the connection id", st -> {
            try (ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    public ServerStatus status() {
        try {
            return readStatus();
        } catch (ActuatorException e) {
            close();
            return new ServerStatus.Down(server, e.getMessage());
        }
    }

    /** Client sessions: every session but the server's own threads and those of the admin and replication accounts. */
    public List<ClientSession> clientSessions() {
        return query("list client sessions", st -> {
            List<ClientSession> sessions = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT ID, USER, COMMAND, TIME_MS FROM information_schema.PROCESSLIST"
                    + " WHERE ID <> CONNECTION_ID() AND USER NOT IN ('system user', 'event_scheduler', "
                    + quote(credentials.adminUser()) + ", " + quote(credentials.replUser()) + ")")) {
                while (rs.next()) {
                    sessions.add(new ClientSession(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getDouble(4)));
                }
            }
            return sessions;
        });
    }

    /**
     * Fences the server in one round trip: ends every session of {@code clientUsers} (the accounts
     * seen in {@link #clientSessions()}), turns semi-sync master off (so commits stop waiting for a
     * replica's ack) and sets read_only; returns the final {@code gtid_binlog_pos}. Connections still
     * logging in are left alone: the idle holder connections are among them, and a client that
     * completes its login now only finds a read-only server. KILL USER, unlike KILL of an id, does
     * not fail when the session has ended meanwhile.
     */
    public GtidPosition fence(Set<String> clientUsers) {
        List<String> statements = new ArrayList<>();
        for (String user : clientUsers) statements.add("KILL CONNECTION USER " + quote(user));
        statements.add("SET GLOBAL rpl_semi_sync_master_enabled = OFF");
        statements.add("SET GLOBAL read_only = ON");
        statements.add("SELECT @@GLOBAL.gtid_binlog_pos");
        return query("fence", st -> GtidPosition.parse(lastResult(st, statements)));
    }

    /**
     * Read-only and semi-sync master off, sessions left alone: the NAIVE baseline's fence, and how a
     * half-promoted candidate is put back; returns {@code gtid_binlog_pos}.
     */
    public GtidPosition setReadOnly() {
        return query("set read_only", st -> GtidPosition.parse(lastResult(st, List.of(
                "SET GLOBAL rpl_semi_sync_master_enabled = OFF", "SET GLOBAL read_only = ON", "SELECT @@GLOBAL.gtid_binlog_pos"))));
    }

    /** Rollback of {@link #fence(Set)}: writable again, commits wait for a replica's ack again. */
    public void unfence() {
        execute("unfence", "SET GLOBAL rpl_semi_sync_master_enabled = ON", "SET GLOBAL read_only = OFF");
    }

    /**
     * Waits (bounded) until the SQL thread has applied {@code position}; false only once {@code timeout} has passed
     * here. MariaDB's own timer may end a wait a moment early, so it is asked again for what is left (CI: a shard was
     * given up at 1499.4 of its 1500 ms), and each wait is rounded up to the millisecond.
     */
    public boolean waitForGtid(GtidPosition position, Duration timeout) {
        if (position.gtids().isEmpty()) return true;
        long until = System.nanoTime() + timeout.toNanos();
        long left = timeout.toNanos();
        do {
            if (waitOnce(position, left)) return true;
            left = until - System.nanoTime();
        } while (left > 0);
        return false;
    }

    private boolean waitOnce(GtidPosition position, long nanos) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE - STATEMENT_TIMEOUT_MS, (nanos + 999_999) / 1_000_000);
        return query("wait for GTID " + position, timeoutMs + STATEMENT_TIMEOUT_MS, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
                ps.setString(1, position.toString());
                ps.setDouble(2, timeoutMs / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) == 0;
                }
            }
        });
    }

    /**
     * Makes this replica a writable primary: replication stopped, read_only off. Only what writes
     * need: forgetting the old master ({@link #forgetMaster()}, it deletes relay logs) can wait until
     * writes flow, and semi-sync master must wait for a replica (with none connected, every commit
     * would wait the semi-sync timeout; see {@link #semiSyncMaster}).
     */
    public void promote() {
        execute("promote", "STOP SLAVE", "SET GLOBAL read_only = OFF");
    }

    /**
     * Opens a server that does not replicate for writes, semi-sync master left as it is (turned on
     * once a replica is connected): how a recovery gives writes back to a fenced primary.
     */
    public void setWritable() {
        execute("set writable", "SET GLOBAL read_only = OFF");
    }

    /** Stops both replication threads; the replication configuration and position stay. */
    public void stopReplication() {
        execute("stop replication", "STOP SLAVE");
    }

    /**
     * {@code Gtid_IO_Pos}: what the IO thread has received from its master. With semi-sync every
     * acknowledged commit of the master is in it, so a replica that has applied it lost nothing
     * acknowledged even when its master is gone. Empty when no master is configured.
     */
    public GtidPosition receivedPos() {
        return query("read the received GTID position", st -> {
            try (ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
                return rs.next() ? GtidPosition.parse(rs.getString("Gtid_IO_Pos")) : GtidPosition.EMPTY;
            }
        });
    }

    /** Drops the stopped replication configuration of a promoted server. */
    public void forgetMaster() {
        execute("forget the old master", "RESET SLAVE ALL");
    }

    public void semiSyncMaster(boolean enabled) {
        execute("semi-sync master " + (enabled ? "on" : "off"),
                "SET GLOBAL rpl_semi_sync_master_enabled = " + (enabled ? "ON" : "OFF"));
    }

    /**
     * Makes this server (a demoted primary) a read-only replica of {@code primary}. Its own binlog
     * position becomes its replication position first: otherwise it would ask the new primary for
     * transactions from its stale {@code gtid_slave_pos} and replay (or miss) what it wrote itself.
     */
    public void demoteUnder(DbServer primary) {
        execute("demote under " + primary.id(),
                "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos",
                changeMaster(primary.endpoint()),
                "SET GLOBAL rpl_semi_sync_master_enabled = OFF",
                "SET GLOBAL read_only = ON",
                "START SLAVE");
    }

    /** Points a replica that already replicates (from the old primary) at the new one, keeping its position. */
    public void repointTo(DbServer primary) {
        execute("repoint to " + primary.id(), "STOP SLAVE", changeMaster(primary.endpoint()), "START SLAVE");
    }

    /**
     * Statements on the admin connection, sent in one round trip (under load every round trip
     * costs milliseconds of write pause); the first that fails stops the rest.
     */
    private void execute(String what, String... statements) {
        query(what, st -> st.execute(String.join(";\n", statements)));
    }

    @Override
    public void close() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // The server may be gone already; the connection is dropped either way.
        }
        connection = null;
    }

    private String changeMaster(Endpoint primary) {
        return "CHANGE MASTER TO MASTER_HOST=" + quote(primary.host()) + ", MASTER_PORT=" + primary.port()
                + ", MASTER_USER=" + quote(credentials.replUser()) + ", MASTER_PASSWORD=" + quote(credentials.replPassword())
                + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1";
    }

    private static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private ServerStatus.Up readStatus() {
        return query("read status", st -> {
            ServerStatus.Up up;
            try (ResultSet rs = st.executeQuery("SELECT @@server_id, @@read_only, @@gtid_binlog_pos, @@gtid_slave_pos,"
                    + " @@gtid_current_pos, @@gtid_binlog_state, @@log_slave_updates, @@rpl_semi_sync_master_enabled")) {
                rs.next();
                up = new ServerStatus.Up(server, rs.getLong(1), rs.getBoolean(2), GtidPosition.parse(rs.getString(3)),
                        GtidPosition.parse(rs.getString(4)), GtidPosition.parse(rs.getString(5)),
                        GtidPosition.parse(rs.getString(6)), rs.getBoolean(7), rs.getBoolean(8), Optional.empty());
            }
            try (ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
                if (!rs.next() || rs.getString("Master_Host") == null || rs.getString("Master_Host").isBlank()) return up;
                long behind = rs.getLong("Seconds_Behind_Master");
                Optional<Long> secondsBehind = rs.wasNull() ? Optional.empty() : Optional.of(behind);
                var replication = new ServerStatus.Replication("Yes".equals(rs.getString("Slave_IO_Running")),
                        "Yes".equals(rs.getString("Slave_SQL_Running")), rs.getString("Slave_IO_State"), secondsBehind,
                        new Endpoint(rs.getString("Master_Host"), rs.getInt("Master_Port")), rs.getString("Using_Gtid"),
                        rs.getString("Last_IO_Error"), rs.getString("Last_SQL_Error"));
                return new ServerStatus.Up(up.server(), up.serverId(), up.readOnly(), up.binlogPos(), up.slavePos(),
                        up.currentPos(), up.binlogState(), up.logSlaveUpdates(), up.semiSyncMaster(), Optional.of(replication));
            }
        });
    }

    /** Runs the statements in one round trip; returns the first column of the last one's result. */
    private static String lastResult(Statement st, List<String> statements) throws SQLException {
        boolean isResult = st.execute(String.join(";\n", statements));
        for (int i = 1; i < statements.size(); i++) isResult = st.getMoreResults();
        if (!isResult) throw new SQLException("no result from " + statements.getLast());
        try (ResultSet rs = st.getResultSet()) {
            rs.next();
            return rs.getString(1);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Statement statement) throws SQLException;
    }

    @FunctionalInterface
    private interface ConnectionWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T query(String what, Work<T> work) {
        return query(what, STATEMENT_TIMEOUT_MS, c -> {
            try (Statement st = c.createStatement()) {
                return work.run(st);
            }
        });
    }

    /** Runs work under a network timeout, so a hung server fails the step instead of hanging it. */
    private <T> T query(String what, int timeoutMs, ConnectionWork<T> work) {
        try {
            Connection c = connection();
            c.setNetworkTimeout(DIRECT, timeoutMs);
            return work.run(c);
        } catch (SQLException e) {
            close();
            throw new ActuatorException(what + " on " + server.id() + " at " + server.endpoint() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private Connection connection() {
        if (connection != null) return connection;
        try {
            connection = DriverManager.getConnection(
                    Jdbc.url(server.endpoint(), credentials.database(), CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS)
                            + "&allowMultiQueries=true",
                    credentials.adminUser(), credentials.adminPassword());
            return connection;
        } catch (SQLException e) {
            throw new ActuatorException("cannot connect to " + server.id() + " at " + server.endpoint() + " as "
                    + credentials.adminUser() + ": " + e.getMessage(), e);
        }
    }
}
