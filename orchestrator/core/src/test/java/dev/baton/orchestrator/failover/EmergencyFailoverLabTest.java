package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.runbook.RunbookPlans;
import dev.baton.orchestrator.runbook.TopologyViews;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.runbooks.Checked;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code emergency-failover} runbook end to end on a real 2 DC x 2 shard lab with a checkout app per
 * DC: east's MariaDB servers, HAProxy and checkout app are SIGKILLed after orders were acknowledged
 * through semi-sync primaries, then the runbook runs, planned against the servers as they stand, through
 * the same {@link Evacuation} a coordinator runs. Checked on the servers, HAProxies and PowerDNS.
 *
 * <p>Two stand-ins, named as such: the health verdicts (east DOWN, west HEALTHY) are a snapshot given to
 * the run, as a coordinator's health view would report a DC whose agents and servers went silent (this
 * lab runs no agents); and the runbook is the shipped one without its last step, {@code notify: [pager]},
 * which this coordinator refuses until a pager channel exists, so the failover service would refuse the
 * whole runbook.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmergencyFailoverLabTest {
    private static final String PAGE_STEP = "  - id: page\n";
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static ZooKeeperSession session;
    static List<String> events = Collections.synchronizedList(new ArrayList<>());
    static Evacuation.Context context;
    /** The first test's failover, which the second one pretends a lost leader left in its promote step. */
    static Failover first;

    @BeforeAll
    static void start() throws IOException {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        CoordinatorConfig config = config("emergency-" + ProcessHandle.current().pid());
        session = new ZooKeeperSession(config.zookeeper()).start(10_000);
        EventHub hub = new EventHub();
        hub.subscribe(e -> events.add(e.type() + " " + e.message()));
        context = new Evacuation.Context(config, SwitchoverOptions.defaults(), new Planner(topology, Duration.ofSeconds(1)),
                new FailoverStore(session), hub, new FailoverMetrics(new SimpleMeterRegistry()), EmergencyFailoverLabTest::eastDown,
                () -> true, step -> { });
    }

    /** When the test killed east: the health stand-in's DOWN since. */
    private static volatile Instant eastDownSince = Instant.EPOCH;

    @AfterAll
    static void stop() {
        try {
            if (session != null) session.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    @Order(1)
    @Test
    void eastDiesAndTheEmergencyRunbookMovesEveryShardAndAllTrafficWestWithEveryAcknowledgedOrder() throws Exception {
        Map<String, List<String>> acknowledged = new HashMap<>();
        for (Shard shard : topology.shards()) acknowledged.put(shard.name(), placeOrders(writerIn("west", shard.name()), 30));
        for (Shard shard : topology.shards()) lab.kill(shard.serverIn("east").orElseThrow().id());
        lab.killProcess("haproxy east");
        lab.killProcess("checkout east");
        eastDownSince = Instant.now();

        Planner planner = context.planner();
        Planner.Discovery discovery = planner.discover("east", "west");
        assertThat(discovery.problems()).isEmpty();
        assertThat(discovery.orphans()).extracting(o -> o.shard().name()).containsExactly("s1", "s2");

        // A runbook that asks the old primaries cannot move a shard whose primary is unreachable: refused before it runs.
        Plan planned = RunbookPlans.plan(Runbooks.shipped("planned-evacuation").orThrow(), topology, discovery.primaryDcs(), PlanRequest.of("east", "west"));
        assertThat(planner.plan(discovery, planned).allProblems()).hasSize(2).allSatisfy(p -> assertThat(p)
                .contains("no writable primaries", "only a runbook with a flip-writer step promotes a shard whose primary is unreachable"));

        Plan runbook = runbookWithoutPager(discovery);
        assertThat(FailoverStep.unsupported(runbook)).isEmpty();
        FailoverPlan plan = planner.plan(discovery, runbook);
        assertThat(plan.allProblems()).isEmpty();
        assertThat(plan.shards()).allSatisfy(s -> assertThat(s.candidate().dc()).isEqualTo("west"));

        FailoverRequest request = new FailoverRequest("emergency-failover", "east", "west", "east is down", false, false, List.of());
        Failover failover = new Failover("f-emergency-test", request, "test", "c-west", Failover.State.RUNNING, Instant.now(), null,
                runbook, null, plan, Evacuation.pendingTimeline(runbook), TrafficOutcome.NONE,
                plan.shards().stream().map(s -> ShardProgress.pending(s.shard())).toList(), "");
        context.store().create(failover);
        first = failover;
        long start = System.nanoTime();
        Failover done = Evacuation.start(failover, context).run();
        System.out.printf("FIGURES emergency failover of 2 shards in %d ms%n%s%n", (System.nanoTime() - start) / 1_000_000,
                FailoverReport.of(done).text());
        assertThat(context.store().get(failover.id()).orElseThrow().state()).isEqualTo(done.state());

        assertThat(done.step("precheck").state()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.step("drain-dns").state()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.step("promote").state()).as(done.step("promote").error()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.step("verify").state()).as(done.step("verify").error()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.shards()).allSatisfy(s -> {
            assertThat(s.state()).as(s.reason()).isEqualTo(ShardProgress.State.SWITCHED);
            assertThat(s.reason()).contains("applied everything it received", "writer in east not repointed");
            assertThat(s.steps()).extracting(StepRecord::name).contains("catch-up", "promote", "writers");
        });
        // East is DOWN and its HAProxy dead: the drain moves west's weights and names east's HAProxy as left alone.
        assertThat(done.step("drain-lb").state()).as(done.step("drain-lb").error()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.step("drain-lb").changes()).anyMatch(line -> line.startsWith("left alone: HAProxy of east"));
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        assertThat(events).anyMatch(e -> e.startsWith("failover.shard s1 SWITCHED: promoted s1-west"));
        // The outage is counted from east's DOWN, not from the promotion's start.
        assertThat(done.step("promote").changes()).anyMatch(line -> line.startsWith("writes were unavailable at least ")
                && line.contains("east DOWN since " + eastDownSince));

        assertThat(done.traffic().dns().after().ip()).isEqualTo(topology.datacenter("west").orElseThrow().address());
        for (Shard shard : topology.shards()) {
            DbServer west = shard.serverIn("west").orElseThrow();
            assertThat(query(west.endpoint(), "SELECT @@read_only")).isEqualTo("0");
            assertThat(query(west.endpoint(), "SHOW SLAVE STATUS")).as(west.id() + " replication").isNull();
            ShardFrontends f = topology.datacenter("west").orElseThrow().frontendsOf(shard.name()).orElseThrow();
            ServerState writer = new HaproxyRuntime(topology.datacenter("west").orElseThrow().haproxyRuntime())
                    .serverState(f.writerBackend(), f.writerServer());
            assertThat(writer.address() + ":" + writer.port()).isEqualTo(west.endpoint().toString());
            List<String> keys = acknowledged.get(shard.name());
            assertThat(query(west.endpoint(), "SELECT COUNT(*) FROM orders WHERE idem_key IN ('" + String.join("','", keys) + "')"))
                    .as("orders acknowledged on " + shard.name() + " before east died, on " + west.id()).isEqualTo(String.valueOf(keys.size()));
            assertThat(placeOrders(writerIn("west", shard.name()), 1)).hasSize(1);
        }
    }

    /**
     * A new leader finds the failover RUNNING in its promote step (its leader lost during the promotions):
     * it rolls forward, and the promotions, run again, find every shard promoted and leave it as it is.
     * Meanwhile s1's old primary came back (read-only, as a restarted server does): it is left alone.
     */
    @Order(2)
    @Test
    void aTakeoverDuringThePromotionRunsItAgainAndChangesNothingPromoted() throws SQLException {
        Failover left = new Failover("f-emergency-takeover", first.request(), "test", "c-lost", Failover.State.RUNNING, Instant.now(),
                null, first.runbook(), first.runbookSha256(), first.plan(), first.timeline(), TrafficOutcome.NONE, first.shards(), "");
        Instant at = Instant.now();
        for (String step : List.of("precheck", "drain-dns", "drain-lb")) {
            left = left.withStep(left.step(step).started(at).ended(TimelineStep.State.DONE, at, List.of(), ""));
        }
        left = left.withStep(left.step("promote").started(at));
        context.store().create(left);
        lab.start("s1-east");

        Failover done = Evacuation.takeover(left, context, "c-west").run();
        System.out.printf("FIGURES emergency failover taken over during its promotions:%n%s%n", FailoverReport.of(done).text());

        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        assertThat(events).anyMatch(e -> e.contains("failover f-emergency-takeover is past its point of no return (its emergency promotion started)"));
        assertThat(done.step("promote").state()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.step("verify").state()).isEqualTo(TimelineStep.State.DONE);
        assertThat(done.shards()).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(ShardProgress.State.SWITCHED);
            assertThat(s.reason()).contains(s.shard() + "-west already promoted", "writer in west already at").doesNotContain("fenced");
        });
        assertThat(done.shards().getFirst().reason()).contains("s1-east answers read-only and replicates from nothing: left as it is");
        assertThat(query(topology.shard("s1").orElseThrow().serverIn("east").orElseThrow().endpoint(), "SELECT @@read_only")).isEqualTo("1");
    }

    /** The shipped runbook without its pager step (see the class comment), planned against the servers as they stand. */
    private static Plan runbookWithoutPager(Planner.Discovery discovery) throws IOException {
        String text;
        try (InputStream in = Runbooks.class.getResourceAsStream("/runbooks/emergency-failover.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(text).contains(PAGE_STEP);
        Checked checked = Runbooks.check("emergency-failover without its pager step", text.substring(0, text.indexOf(PAGE_STEP)));
        assertThat(checked.problems()).isEmpty();
        return new dev.baton.runbooks.plan.Planner(TopologyViews.of(topology, discovery.primaryDcs()))
                .plan(checked.runbook(), new PlanRequest("east", "west", List.of(), "east is down", Map.of()));
    }

    private static HealthSnapshot eastDown() {
        return new HealthSnapshot(Instant.now(), List.of(
                new DcHealth("east", Verdict.DOWN, List.of("stand-in: its agents and servers are silent"), eastDownSince),
                new DcHealth("west", Verdict.HEALTHY, List.of(), Instant.EPOCH)), List.of());
    }

    private static Endpoint writerIn(String dc, String shard) {
        return topology.datacenter(dc).orElseThrow().frontendsOf(shard).orElseThrow().writer();
    }

    /** Orders inserted one by one as the app user; each key returned was acknowledged (semi-sync: it reached the replica). */
    private static List<String> placeOrders(Endpoint writer, int count) throws SQLException {
        Credentials c = topology.credentials();
        List<String> keys = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(writer, c.database(), 3000, 5000), c.appUser(), c.appPassword());
             Statement st = connection.createStatement()) {
            for (int i = 0; i < count; i++) {
                String key = UUID.randomUUID().toString();
                st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + key
                        + "', 1, '[]', 100, 'emergency-test')");
                keys.add(key);
            }
        }
        return keys;
    }

    /** The first column of the first row; null when there is none. */
    private static String query(Endpoint endpoint, String sql) throws SQLException {
        Credentials c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(endpoint, c.database(), 2000, 5000), c.adminUser(), c.adminPassword());
             Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** A one-coordinator config (in west); its API port is only named, never listened on. */
    private static CoordinatorConfig config(String namespace) throws IOException {
        CoordinatorPeer self;
        try (ServerSocket s = new ServerSocket(0)) {
            self = new CoordinatorPeer("c-west", "west", new Endpoint("127.0.0.1", s.getLocalPort()));
        }
        ConfigFile file = new ConfigFile(topology, null, List.of(self), new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000),
                List.of(), List.of(), "audit-" + namespace + ".jsonl");
        Path path = dir.resolve(namespace + ".yaml");
        ConfigLoader.write(file, path);
        return ConfigLoader.load(path);
    }
}
