package dev.baton.agents;

import dev.baton.agents.probe.HaproxyProber;
import dev.baton.agents.probe.MariaDbProber;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.FakeCoordinator;
import dev.baton.agents.report.HttpReporter;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.ReachabilityProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The agent's probes against a real 2 DC x 2 shard lab with checkout apps. */
class AgentLabTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void primaryIsWritableAndReplicaReplicatesItsGtid() throws Exception {
        DbServer primary = server("s1-east");
        DbServer replica = server("s1-west");
        var c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(primary.endpoint(), c.database(), 2000, 10_000),
                c.appUser(), c.appPassword()); Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('"
                    + UUID.randomUUID() + "', 2, '[]', 100, 'east')");
        }
        MariaDbProbe p = new MariaDbProber(primary, c, TIMEOUT).run();
        assertThat(p.reachable()).as(p.toString()).isTrue();
        assertThat(p.writable()).isTrue();
        assertThat(p.replicating()).isFalse();
        assertThat(p.gtidBinlogPos()).isNotBlank();

        MariaDbProber replicaProber = new MariaDbProber(replica, c, TIMEOUT);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            MariaDbProbe r = replicaProber.run();
            assertThat(r.reachable()).as(r.toString()).isTrue();
            assertThat(r.readOnly()).isTrue();
            assertThat(r.replicating()).isTrue();
            assertThat(r.ioRunning()).isTrue();
            assertThat(r.sqlRunning()).isTrue();
            assertThat(r.lagSeconds()).isZero();
            assertThat(r.gtidCurrentPos()).isEqualTo(p.gtidBinlogPos());
            assertThat(r.error()).isNull();
        });
    }

    @Test
    void aKilledServerIsUnreachableWithinTheTimeout() {
        DbServer victim = server("s2-west");
        MariaDbProber prober = new MariaDbProber(victim, topology.credentials(), TIMEOUT);
        assertThat(prober.run().reachable()).isTrue();
        try {
            lab.kill(victim.id());
            long started = System.nanoTime();
            MariaDbProbe dead = prober.run();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plusMillis(500));
            assertThat(dead.reachable()).isFalse();
            assertThat(dead.error()).contains("s2-west", victim.endpoint().toString());
        } finally {
            lab.start(victim.id());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> prober.run().replicating());
    }

    @Test
    void haproxyProbeKeepsItsConnectionAndReplacesOneHaproxyClosedWhileIdle() throws Exception {
        var dc = topology.datacenters().getFirst();
        try (HaproxyProber prober = new HaproxyProber(dc.name(), dc.haproxyRuntime(), TIMEOUT)) {
            HaproxyProbe first = prober.run();
            HaproxyProbe second = prober.run();
            assertThat(first.reachable()).as(first.toString()).isTrue();
            assertThat(second.reachable()).as(second.toString()).isTrue();
            assertThat(second.servers()).isEqualTo(first.servers());
            // The lab's HAProxy closes a runtime connection idle for its "stats timeout" (10 s).
            Thread.sleep(10_500);
            HaproxyProbe afterIdle = prober.run();
            assertThat(afterIdle.reachable()).as(afterIdle.toString()).isTrue();
            assertThat(afterIdle.servers()).isEqualTo(first.servers());
        }
    }

    @Test
    void haproxyProbeListsTheWriterServerAddress() {
        for (var dc : topology.datacenters()) {
            HaproxyProbe probe;
            try (HaproxyProber prober = new HaproxyProber(dc.name(), dc.haproxyRuntime(), TIMEOUT)) {
                probe = prober.run();
            }
            assertThat(probe.reachable()).as(probe.toString()).isTrue();
            DbServer primary = server("s1-east");
            assertThat(probe.servers()).filteredOn(s -> s.backend().equals("w_s1")).singleElement().satisfies(s -> {
                assertThat(s.address()).isEqualTo(primary.endpoint().host());
                assertThat(s.port()).isEqualTo(primary.endpoint().port());
                assertThat(s.state()).isEqualTo("RUNNING");
            });
            assertThat(probe.servers()).extracting(HaproxyProbe.Server::backend).contains("w_s2", "r_s1", "r_s2");
        }
    }

    @Test
    void oneRoundCoversEveryProbeOfTheDc() {
        try (Agent agent = new Agent("agent-west-1", "west", Probers.forDc(topology, "west", TIMEOUT), r -> {
        }, Duration.ofSeconds(2))) {
            HealthReport report = agent.runOnce();
            assertThat(report.dc()).isEqualTo("west");
            assertThat(report.probes()).filteredOn(MariaDbProbe.class::isInstance).map(MariaDbProbe.class::cast)
                    .extracting(MariaDbProbe::serverId).containsExactlyInAnyOrder("s1-west", "s2-west");
            assertThat(report.probes()).filteredOn(HttpProbe.class::isInstance).map(HttpProbe.class::cast)
                    .singleElement().satisfies(h -> assertThat(h.status()).as(h.toString()).isEqualTo(200));
            // East's HAProxy every round, and one of east's servers per round, in turn.
            assertThat(report.probes()).filteredOn(ReachabilityProbe.class::isInstance).map(ReachabilityProbe.class::cast)
                    .hasSize(2).allSatisfy(r -> {
                        assertThat(r.toDc()).isEqualTo("east");
                        assertThat(r.reachable()).as(r.toString()).isTrue();
                    });
            assertThat(report.probes()).filteredOn(HaproxyProbe.class::isInstance).hasSize(1);
            HealthReport next = agent.runOnce();
            assertThat(java.util.stream.Stream.of(report, next).flatMap(r -> r.probes().stream())
                    .filter(ReachabilityProbe.class::isInstance).map(ReachabilityProbe.class::cast).map(ReachabilityProbe::targetName))
                    .as("two rounds reach both of east's servers").contains("mariadb s1-east", "mariadb s2-east", "haproxy east");
        }
    }

    @Test
    void runningAgentReportsToItsCoordinatorAtLeastEveryHeartbeat() throws Exception {
        List<HealthReport> local = new CopyOnWriteArrayList<>();
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), FakeCoordinator.TOKEN, Backoff.defaults(),
                     TIMEOUT);
             Agent agent = new Agent("agent-east-1", "east", Probers.forDc(topology, "east", TIMEOUT), r -> {
                 local.add(r);
                 reporter.submit(r);
             }, Duration.ofMillis(300)).start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.received.size() >= 3);
            assertThat(coordinator.sequences()).isSorted().doesNotHaveDuplicates();
            HealthReport received = coordinator.received.getFirst().report();
            assertThat(received).isIn(local);
            assertThat(received.probes()).filteredOn(MariaDbProbe.class::isInstance).map(MariaDbProbe.class::cast)
                    .filteredOn(m -> m.serverId().equals("s1-east")).singleElement()
                    .satisfies(m -> assertThat(m.writable()).isTrue());
        }
    }

    private static DbServer server(String id) {
        return topology.shards().stream().flatMap(s -> s.servers().stream()).filter(s -> s.id().equals(id))
                .findFirst().orElseThrow();
    }
}
