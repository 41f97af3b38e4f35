package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A runbook's {@code perShardTimeout} enforced on a real 2 DC x 2 shard lab: s2's candidate stops
 * applying (its SQL thread stopped, one more transaction on the primary) right after the switchover
 * connected, so its catch-up can never end; s2 must be rolled back at the per-shard timeout, not at
 * the step's, while s1 switches, with every acknowledged write kept and one writable primary per shard.
 */
class PerShardTimeoutLabTest {
    private static final Duration PER_SHARD = Duration.ofMillis(1500);
    private static final String RUNBOOK = """
            name: per-shard-timeout
            steps:
              - {id: switch-shards, kind: switch-shards, perShardTimeout: 1500ms, timeout: 60s, pointOfNoReturn: true}
            """;

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Credentials credentials;
    static DbServer s2East;
    static DbServer s2West;
    /** Set while the test wants s2's candidate stuck; the hook disarms it as it strikes. */
    static final AtomicBoolean armed = new AtomicBoolean();
    static final List<String> hookProblems = new CopyOnWriteArrayList<>();
    static FailoverNode node;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, false));
        topology = lab.topology();
        credentials = topology.credentials();
        s2East = topology.shard("s2").orElseThrow().serverIn("east").orElseThrow();
        s2West = topology.shard("s2").orElseThrow().serverIn("west").orElseThrow();
        ConfigFile file = new ConfigFile(topology, null, List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", 9))),
                new ZooKeeperConfig(topology.zookeeper().toString(), "per-shard-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                        4000), List.of(), List.of(), "audit.jsonl");
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        SwitchoverOptions options = SwitchoverOptions.defaults().withListener((shard, step) -> {
            if (shard.equals("s2") && step.equals("connect") && armed.compareAndSet(true, false)) stickCandidate();
        });
        node = FailoverNode.start(ConfigLoader.load(dir.resolve("coordinator.yaml")),
                RunbookCatalog.of(Map.of("per-shard-timeout.yaml", RUNBOOK)), "c-east", options,
                () -> FailoverNode.allHealthy(topology), step -> { });
        await().atMost(Duration.ofSeconds(10)).until(node.leadership()::isLeader);
    }

    @AfterAll
    static void down() {
        try {
            if (node != null) node.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    /** The candidate stops applying, and the primary gets one more transaction: the fence's last GTID is out of its reach. */
    private static void stickCandidate() {
        try {
            admin(s2West.endpoint(), "STOP SLAVE SQL_THREAD");
            admin(s2East.endpoint(), "INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('stuck-" + UUID.randomUUID()
                    + "', 1, '[]', 1, 'test')");
        } catch (SQLException e) {
            hookProblems.add(e.toString());
        }
    }

    @Test
    void aShardWhoseCandidateCannotCatchUpIsRolledBackAtItsPerShardTimeoutWhileTheOtherSwitches() throws Exception {
        Map<String, Writer> writers = Map.of("s1", new Writer("s1"), "s2", new Writer("s2"));
        Failover done;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> writers.values().stream().allMatch(w -> w.acknowledged.size() > 5));
            armed.set(true);
            String id = node.failovers().start(new FailoverRequest("per-shard-timeout", "east", "west", "per-shard timeout", false, false),
                    "test").id();
            assertThat(node.failovers().awaitIdle(Duration.ofSeconds(60))).isTrue();
            done = node.failovers().get(id);
            System.out.println(FailoverReport.of(done).text());
            // Writes go on after it ended, to whichever server each shard's writers now point at.
            int after = writers.get("s2").acknowledged.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> writers.get("s2").acknowledged.size() > after + 5);
        } finally {
            writers.values().forEach(Writer::close);
            admin(s2West.endpoint(), "START SLAVE SQL_THREAD");
        }
        assertThat(hookProblems).isEmpty();
        assertThat(armed).as("the hook struck").isFalse();

        ShardProgress s1 = shard(done, "s1");
        ShardProgress s2 = shard(done, "s2");
        assertThat(s1.state()).as(s1.reason()).isEqualTo(ShardProgress.State.SWITCHED);
        assertThat(s2.state()).isEqualTo(ShardProgress.State.ROLLED_BACK);
        assertThat(s2.reason()).startsWith("per-shard timeout 1500ms passed at catch-up: candidate " + s2West.id() + " did not apply ");
        // Given up at its own deadline (plus the rollback), not at the step's 60 s nor at the catch-up's 5 s.
        assertThat(s2.wallMs()).isBetween((double) PER_SHARD.toMillis(), PER_SHARD.toMillis() + 1000.0);
        assertThat(done.state()).isEqualTo(Failover.State.FAILED);
        assertThat(done.reason()).contains("s2 ROLLED_BACK: per-shard timeout 1500ms passed at catch-up");

        // One writable primary per shard, where each shard ended; every DC's writer frontend leads there.
        assertThat(writablePrimaries("s1")).containsExactly("s1-west");
        assertThat(writablePrimaries("s2")).containsExactly(s2East.id());
        for (Datacenter dc : topology.datacenters()) {
            assertThat(appInsert(dc.frontendsOf("s1").orElseThrow().writer())).isEqualTo(port("s1", "west"));
            assertThat(appInsert(dc.frontendsOf("s2").orElseThrow().writer())).isEqualTo(s2East.endpoint().port());
        }
        // No acknowledged write lost: each is on the shard's primary as it ended.
        assertThat(missing(writers.get("s1"), topology.shard("s1").orElseThrow().serverIn("west").orElseThrow())).isZero();
        assertThat(missing(writers.get("s2"), s2East)).isZero();
    }

    private static ShardProgress shard(Failover failover, String shard) {
        return failover.shards().stream().filter(p -> p.shard().equals(shard)).findFirst().orElseThrow();
    }

    private static int port(String shard, String dc) {
        return topology.shard(shard).orElseThrow().serverIn(dc).orElseThrow().endpoint().port();
    }

    private static List<String> writablePrimaries(String shard) throws SQLException {
        List<String> writable = new ArrayList<>();
        for (DbServer s : topology.shard(shard).orElseThrow().servers()) {
            if (query(s.endpoint(), "SELECT @@read_only").equals("0")) writable.add(s.id());
        }
        return writable;
    }

    private static long missing(Writer writer, DbServer primary) throws SQLException {
        long missing = 0;
        for (String key : writer.acknowledged) {
            if (query(primary.endpoint(), "SELECT COUNT(*) FROM orders WHERE idem_key = '" + key + "'").equals("0")) missing++;
        }
        return missing;
    }

    /** One order as the app user (read_only fences it, unlike root); the port of the server that took it. */
    private static int appInsert(Endpoint writer) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(writer, credentials.database(), 5000, 5000), credentials.appUser(),
                credentials.appPassword()); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + UUID.randomUUID()
                    + "', 1, '[]', 1, 'test')");
            try (ResultSet rs = st.executeQuery("SELECT @@port")) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void admin(Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = adminConnection(endpoint); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String query(Endpoint endpoint, String sql) throws SQLException {
        try (Connection c = adminConnection(endpoint); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Connection adminConnection(Endpoint endpoint) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(endpoint, credentials.database(), 2000, 10_000), credentials.adminUser(),
                credentials.adminPassword());
    }

    /** Orders through east's writer frontend of a shard, as the app user, every 10 ms without retry; keeps the acknowledged keys. */
    private static final class Writer implements AutoCloseable {
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        private final Thread thread;

        Writer(String shard) {
            Endpoint frontend = topology.datacenter("east").orElseThrow().frontendsOf(shard).orElseThrow().writer();
            thread = Thread.ofPlatform().name("writer-" + shard).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    String key = UUID.randomUUID().toString();
                    try (Connection c = DriverManager.getConnection(Jdbc.url(frontend, credentials.database(), 5000, 5000),
                            credentials.appUser(), credentials.appPassword()); Statement st = c.createStatement()) {
                        st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + key
                                + "', 1, '[]', 1, 'test')");
                        acknowledged.add(key);
                    } catch (SQLException e) {
                        // a write refused by the fence is not acknowledged: nothing to keep
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
