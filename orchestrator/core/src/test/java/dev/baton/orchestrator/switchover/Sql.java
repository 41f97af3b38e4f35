package dev.baton.orchestrator.switchover;

import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Short-lived JDBC connections for tests: as the admin account, or as the app account read_only fences. */
record Sql(Credentials credentials) {

    Connection admin(Endpoint endpoint) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(endpoint, credentials.database(), 2000, 10_000),
                credentials.adminUser(), credentials.adminPassword());
    }

    Connection app(Endpoint endpoint, int timeoutMs) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(endpoint, credentials.database(), timeoutMs, timeoutMs),
                credentials.appUser(), credentials.appPassword());
    }

    void adminExecute(Endpoint endpoint, String... statements) throws SQLException {
        try (Connection c = admin(endpoint); Statement st = c.createStatement()) {
            for (String sql : statements) st.execute(sql);
        }
    }

    String adminQuery(Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = admin(endpoint); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Master, IO and SQL thread states from {@code SHOW SLAVE STATUS}, or "none". */
    String replication(Endpoint endpoint) throws SQLException {
        try (Connection c = admin(endpoint); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
            if (!rs.next()) return "none";
            return rs.getString("Master_Host") + ":" + rs.getString("Master_Port") + " io=" + rs.getString("Slave_IO_Running")
                    + " sql=" + rs.getString("Slave_SQL_Running");
        }
    }

    /** Inserts one order as the app user and returns the server's {@code @@port}, i.e. which server took it. */
    int appInsertOrder(Endpoint endpoint, String idemKey) throws SQLException {
        try (Connection c = app(endpoint, 5000); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + idemKey
                    + "', 1, '[]', 100, 'test')");
            try (ResultSet rs = st.executeQuery("SELECT @@port")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    long countOrders(Endpoint endpoint, String where) throws SQLException {
        return Long.parseLong(adminQuery(endpoint, "SELECT COUNT(*) FROM orders WHERE " + where));
    }
}
