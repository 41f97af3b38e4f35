package dev.baton.chaos.workload.audit;

import dev.baton.chaos.workload.load.AcknowledgedOrder;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Checks that every acknowledged order exists exactly once on its shard's current primary and on
 * every replica. The current primary is asked of the servers themselves (writable, not
 * replicating): the topology file's roles are stale after a switchover. Each server's keys are
 * read in one streamed query, so tens of thousands of orders cost one round trip per server.
 */
public final class OrderAudit {
    private static final int FETCH_SIZE = 5_000;

    private final Topology topology;
    private final Duration catchUpTimeout;

    /** @param catchUpTimeout how long each replica may take to apply its primary's last GTID */
    public OrderAudit(Topology topology, Duration catchUpTimeout) {
        this.topology = topology;
        this.catchUpTimeout = catchUpTimeout;
    }

    public AuditResult check(Collection<AcknowledgedOrder> orders) throws InterruptedException {
        Map<String, Set<String>> keysByShard = orders.stream().collect(Collectors.groupingBy(
                AcknowledgedOrder::shard, Collectors.mapping(AcknowledgedOrder::idempotencyKey, Collectors.toSet())));
        Set<String> acknowledged = orders.stream().map(AcknowledgedOrder::idempotencyKey).collect(Collectors.toSet());
        for (String shard : keysByShard.keySet()) {
            if (topology.shard(shard).isEmpty()) {
                throw new IllegalArgumentException("acknowledged orders name shard " + shard
                        + ", which the topology does not have");
            }
        }
        List<ShardAudit> shards = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ShardAudit>> futures = topology.shards().stream()
                    .map(s -> pool.submit(() -> audit(s, acknowledged))).toList();
            for (Future<ShardAudit> f : futures) shards.add(f.get());
        } catch (ExecutionException e) {
            throw new IllegalStateException("order audit failed: " + e.getCause().getMessage(), e.getCause());
        }
        return combine(orders.size(), keysByShard, shards);
    }

    /** One shard's findings: its primary, and per reachable server how often each acknowledged key occurs. */
    private record ShardAudit(Shard shard, String primary, Map<String, Map<String, Integer>> countsByServer,
                              List<String> lagging, List<String> problems) {
    }

    private record ServerState(DbServer server, boolean readOnly, boolean replicating, String gtidBinlogPos) {
    }

    private ShardAudit audit(Shard shard, Set<String> acknowledged) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        List<ServerState> states = new ArrayList<>();
        for (DbServer server : shard.servers()) {
            try (Connection c = connect(server)) {
                states.add(state(c, server));
            } catch (SQLException e) {
                problems.add("shard " + shard.name() + ": server " + server.id() + " at " + server.endpoint()
                        + " unreachable: " + e.getMessage());
            }
        }
        List<ServerState> writable = states.stream().filter(s -> !s.readOnly() && !s.replicating()).toList();
        ServerState primary = writable.size() == 1 ? writable.getFirst() : null;
        if (primary == null) {
            problems.add("shard " + shard.name() + ": expected one writable, non-replicating server, found "
                    + writable.stream().map(s -> s.server().id()).toList());
        }
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (ServerState s : states) {
            try (Connection c = connect(s.server())) {
                if (primary != null && s != primary && !caughtUp(c, primary.gtidBinlogPos())) {
                    lagging.add(s.server().id() + " (shard " + shard.name() + ") did not reach "
                            + primary.server().id() + "'s gtid_binlog_pos " + primary.gtidBinlogPos()
                            + " within " + catchUpTimeout.toMillis() + " ms");
                }
                counts.put(s.server().id(), keyCounts(c, acknowledged));
            } catch (SQLException e) {
                problems.add("shard " + shard.name() + ": cannot read orders on " + s.server().id() + " at "
                        + s.server().endpoint() + ": " + e.getMessage());
            }
        }
        return new ShardAudit(shard, primary == null ? null : primary.server().id(), counts, lagging, problems);
    }

    private static ServerState state(Connection c, DbServer server) throws SQLException {
        boolean readOnly;
        String gtid;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@read_only, @@gtid_binlog_pos")) {
            rs.next();
            readOnly = rs.getBoolean(1);
            gtid = rs.getString(2);
        }
        boolean replicating = false;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW ALL SLAVES STATUS")) {
            while (rs.next()) {
                replicating |= "Yes".equals(rs.getString("Slave_IO_Running"))
                        || "Yes".equals(rs.getString("Slave_SQL_Running"));
            }
        }
        return new ServerState(server, readOnly, replicating, gtid);
    }

    private boolean caughtUp(Connection c, String gtidPos) throws SQLException {
        if (gtidPos == null || gtidPos.isEmpty()) return true;
        try (PreparedStatement st = c.prepareStatement("SELECT MASTER_GTID_WAIT(?, ?)")) {
            st.setString(1, gtidPos);
            st.setDouble(2, catchUpTimeout.toMillis() / 1000.0);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        }
    }

    /** How often each acknowledged key occurs on this server; keys nobody acknowledged are skipped. */
    private static Map<String, Integer> keyCounts(Connection c, Set<String> acknowledged) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (Statement st = c.createStatement()) {
            st.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = st.executeQuery("SELECT idem_key FROM orders")) {
                while (rs.next()) {
                    String key = rs.getString(1);
                    if (acknowledged.contains(key)) counts.merge(key, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private Connection connect(DbServer server) throws SQLException {
        Credentials cred = topology.credentials();
        int socketTimeout = (int) catchUpTimeout.toMillis() + 10_000;
        return DriverManager.getConnection(Jdbc.url(server.endpoint(), cred.database(), 3_000, socketTimeout),
                cred.adminUser(), cred.adminPassword());
    }

    private static AuditResult combine(int checked, Map<String, Set<String>> keysByShard, List<ShardAudit> shards) {
        Map<String, String> primaries = new TreeMap<>();
        List<LostOrder> lost = new ArrayList<>();
        List<DuplicatedOrder> duplicated = new ArrayList<>();
        List<String> lagging = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> primariesHolding = new HashMap<>();
        for (ShardAudit sa : shards) {
            String shard = sa.shard().name();
            if (sa.primary() != null) primaries.put(shard, sa.primary());
            lagging.addAll(sa.lagging());
            problems.addAll(sa.problems());
            for (String key : keysByShard.getOrDefault(shard, Set.of())) {
                for (var server : sa.countsByServer().entrySet()) {
                    int n = server.getValue().getOrDefault(key, 0);
                    if (n == 0) lost.add(new LostOrder(key, shard, server.getKey()));
                    if (n > 1) duplicated.add(new DuplicatedOrder(key, n, List.of(server.getKey())));
                }
            }
            // An order acknowledged on one shard must not also sit on another shard's primary.
            Map<String, Integer> onPrimary = sa.primary() == null ? Map.of()
                    : sa.countsByServer().getOrDefault(sa.primary(), Map.of());
            onPrimary.keySet().forEach(key -> primariesHolding.computeIfAbsent(key, k -> new ArrayList<>()).add(sa.primary()));
        }
        Set<String> reported = new HashSet<>(duplicated.stream().map(DuplicatedOrder::idempotencyKey).toList());
        primariesHolding.forEach((key, holders) -> {
            if (holders.size() > 1 && reported.add(key)) duplicated.add(new DuplicatedOrder(key, holders.size(), holders));
        });
        return new AuditResult(checked, primaries, lost, duplicated, lagging, problems);
    }
}
