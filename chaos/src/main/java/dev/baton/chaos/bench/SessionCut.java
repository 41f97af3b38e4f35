package dev.baton.chaos.bench;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor under every switchover method, measured with the same probes: nothing moves, only the app's sessions on
 * each shard's servers are ended ({@code KILL CONNECTION USER}), as any fence must end or fail them. A client that keeps
 * its connection loses the write that meets its dead session and connects again at its next tick, to a primary that
 * never stopped taking writes, so its pause here is the least any method that fences its server can give it.
 * Only on an idle lab: under checkout load it would end the checkout apps' sessions too.
 */
public final class SessionCut implements ShardSwitcher {
    private static final int TIMEOUT_MS = 3_000;
    private final Topology topology;

    public SessionCut(Topology topology) {
        this.topology = topology;
    }

    /** Ends the app's sessions on every server of each shard; {@code toDc} is ignored: nothing moves. */
    @Override
    public List<Outcome> switchAll(List<String> shards, String toDc) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : shards) {
            long start = System.nanoTime();
            Shard shard = topology.shard(name).orElseThrow(() -> new IllegalArgumentException("no shard " + name + " in the topology"));
            List<String> problems = new ArrayList<>();
            for (DbServer server : shard.servers()) {
                try {
                    cut(server, topology.credentials());
                } catch (SQLException e) {
                    problems.add(server.id() + ": " + e.getMessage());
                }
            }
            double wallMs = (System.nanoTime() - start) / 1e6;
            outcomes.add(new Outcome(name, problems.isEmpty(), problems.isEmpty()
                    ? "the app's sessions ended on every server; nothing moved" : "could not end the app's sessions: " + problems,
                    -1, wallMs, false));
        }
        return outcomes;
    }

    private static void cut(DbServer server, Credentials credentials) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(server.endpoint(), credentials.database(), TIMEOUT_MS, TIMEOUT_MS),
                credentials.adminUser(), credentials.adminPassword()); Statement st = c.createStatement()) {
            st.execute("KILL CONNECTION USER '" + credentials.appUser().replace("'", "''") + "'");
        }
    }
}
