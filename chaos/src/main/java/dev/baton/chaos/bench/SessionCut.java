package dev.baton.chaos.bench;

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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The floor under every switchover method, measured with the same probes: nothing moves, only each shard's
 * persistent-connection probe has its session ended ({@code KILL CONNECTION}), as any fence must end or fail it. The probe
 * loses the write that meets its dead session and connects again at its next tick, to a primary that never stopped taking
 * writes, so its pause here is the least any method that fences its server can give it, under the same load. Only the
 * probe's session, found by its id on the server that has it: the checkout apps' sessions are left alone.
 */
public final class SessionCut implements ShardSwitcher {
    private static final int TIMEOUT_MS = 3_000;
    private final Topology topology;
    private final Function<String, OptionalLong> probeSession;

    /** @param probeSession per shard, the server's id of its persistent probe's session now (empty: none open) */
    public SessionCut(Topology topology, Function<String, OptionalLong> probeSession) {
        this.topology = topology;
        this.probeSession = probeSession;
    }

    /** Ends each shard's probe session; {@code toDc} is ignored: nothing moves. */
    @Override
    public List<Outcome> switchAll(List<String> shards, String toDc) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String name : shards) {
            long start = System.nanoTime();
            Shard shard = topology.shard(name).orElseThrow(() -> new IllegalArgumentException("no shard " + name + " in the topology"));
            String detail;
            boolean cut = false;
            OptionalLong id = probeSession.apply(name);
            if (id.isEmpty()) {
                detail = "the probe had no session open";
            } else {
                detail = "no server of " + name + " has the probe's session " + id.getAsLong();
                for (DbServer server : shard.servers()) {
                    try {
                        if (cut(server, topology.credentials(), id.getAsLong())) {
                            cut = true;
                            detail = "the probe's session " + id.getAsLong() + " on " + server.id() + " ended; nothing moved";
                            break;
                        }
                    } catch (SQLException e) {
                        detail = "cannot end the probe's session on " + server.id() + ": " + e.getMessage();
                    }
                }
            }
            outcomes.add(new Outcome(name, cut, detail, -1, (System.nanoTime() - start) / 1e6, false));
        }
        return outcomes;
    }

    /** Kills session {@code id} on {@code server} if the server has it as the app's; false when it does not. */
    private static boolean cut(DbServer server, Credentials credentials, long id) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(server.endpoint(), credentials.database(), TIMEOUT_MS, TIMEOUT_MS),
                credentials.adminUser(), credentials.adminPassword())) {
            // Ids are per server: the same number on another server is somebody else's session.
            try (PreparedStatement own = c.prepareStatement("SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = ? AND USER = ?")) {
                own.setLong(1, id);
                own.setString(2, credentials.appUser());
                try (ResultSet rs = own.executeQuery()) {
                    if (!rs.next()) return false;
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("KILL CONNECTION " + id);
            }
            return true;
        }
    }
}
