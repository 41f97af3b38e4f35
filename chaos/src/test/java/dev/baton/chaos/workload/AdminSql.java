package dev.baton.chaos.workload;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What the lab tests do to servers behind the workload's back, as the admin account. */
public final class AdminSql {
    private final Credentials credentials;

    public AdminSql(Topology topology) {
        this.credentials = topology.credentials();
    }

    public Connection connect(DbServer server) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(server.endpoint(), credentials.database(), 3_000, 30_000),
                credentials.adminUser(), credentials.adminPassword());
    }

    public void execute(DbServer server, String... statements) throws SQLException {
        try (Connection c = connect(server); var st = c.createStatement()) {
            for (String sql : statements) st.execute(sql);
        }
    }

    /** Rows of {@code orders} with this idempotency key on this server. */
    public long ordersWithKey(DbServer server, String key) throws SQLException {
        try (Connection c = connect(server);
             PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM orders WHERE idem_key = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The shard's primary as the topology recorded it; these tests never switch over. */
    public static DbServer primaryOf(Shard shard) {
        return shard.recordedPrimary().orElseThrow(() -> new IllegalStateException("shard " + shard.name() + " has no primary"));
    }
}
