package dev.baton.orchestrator.health;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.agents.Agent;
import dev.baton.agents.ReportSink;
import dev.baton.agents.probe.Probers;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.monitor.DcProber;
import dev.baton.orchestrator.monitor.DcWatch;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real agents probing a real 2 DC x 2 shard lab, their reports going through {@link ReportIngest}
 * into a {@link HealthView}, next to the connects of a coordinator in east ({@link DcWatch}). The
 * steps build on each other (the last one takes west out), hence the order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthLabTest {
    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(400);
    /** The defaults scaled down so the test takes seconds: silent after 3 missed reports, verdicts hold 1 s. */
    private static final HealthPolicy POLICY = new HealthPolicy(Duration.ofMillis(1500), Duration.ofSeconds(1), 2, 5,
            Duration.ofSeconds(60), 4, Duration.ofSeconds(5));

    /** Kept when a step fails: the lab's logs say why a process died. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Lab lab;
    static Topology topology;
    static HealthView view;
    static ReportIngest ingest;
    static final List<IngestResult.Rejected> rejected = new CopyOnWriteArrayList<>();
    static Agent eastAgent;
    static Agent westAgent;
    static DcWatch eastCoordinator;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        view = new HealthView(topology, POLICY);
        ingest = new ReportIngest(topology, new AgentTokens(List.of(
                new AgentAccount("agent-east-1", "east", TokenHash.of("e")),
                new AgentAccount("agent-west-1", "west", TokenHash.of("w")))), view);
        eastAgent = agent("agent-east-1", "east");
        westAgent = agent("agent-west-1", "west");
        eastCoordinator = new DcWatch(new DcProber(topology, "c-east", "east", PROBE_TIMEOUT), INTERVAL,
                observation -> view.observe(observation, Instant.now())).start();
    }

    /** In-process stand-in for HttpReporter plus the coordinator's endpoint: the same gate, no HTTP. */
    private static Agent agent(String id, String dc) {
        ReportSink sink = report -> {
            if (ingest.ingest(id, report, Instant.now()) instanceof IngestResult.Rejected r) rejected.add(r);
        };
        return new Agent(id, dc, Probers.forDc(topology, dc, PROBE_TIMEOUT), sink, INTERVAL).start();
    }

    @AfterAll
    static void down() {
        try {
            if (eastAgent != null) eastAgent.close();
            if (westAgent != null) westAgent.close();
            if (eastCoordinator != null) eastCoordinator.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    /** Evaluates as the coordinator's timer would, until the DC's verdict is the expected one. */
    private static DcHealth awaitVerdict(String dc, Verdict expected, Duration within) {
        return await().atMost(within).pollInterval(Duration.ofMillis(200))
                .until(() -> view.evaluate(Instant.now()).dc(dc), h -> h.verdict() == expected);
    }

    @Test
    @Order(1)
    void bothDcsAreHealthyAndEveryShardHasOneWritablePrimary() {
        awaitVerdict("east", Verdict.HEALTHY, Duration.ofSeconds(15));
        DcHealth west = awaitVerdict("west", Verdict.HEALTHY, Duration.ofSeconds(15));
        assertThat(west.reasons()).isEmpty();
        // Settled: one more round with both DCs clean and no problem on any shard.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HealthSnapshot s = view.evaluate(Instant.now());
            assertThat(s.datacenters()).allSatisfy(d -> assertThat(d.reasons()).as(d.dc()).isEmpty());
            assertThat(s.shard("s1").primary()).contains("s1-east");
            assertThat(s.shard("s2").primary()).contains("s2-east");
            assertThat(s.shards()).allSatisfy(sh -> assertThat(sh.problems()).as(sh.shard()).isEmpty());
        });
        assertThat(rejected).isEmpty();
        assertThat(view.agents(Instant.now())).extracting(AgentStatus::agentId).containsExactly("agent-east-1", "agent-west-1");
    }

    @Test
    @Order(2)
    void aKilledReplicaDegradesItsDcNamingIt() {
        lab.kill("s1-west");
        try {
            DcHealth west = awaitVerdict("west", Verdict.DEGRADED, Duration.ofSeconds(15));
            assertThat(west.reasons()).anySatisfy(r -> assertThat(r).startsWith("s1-west unreachable: s1-west at "));
            HealthSnapshot s = view.latest();
            assertThat(s.dc("east").verdict()).isEqualTo(Verdict.HEALTHY);
            assertThat(s.shard("s1").problems()).anySatisfy(p -> assertThat(p).startsWith("s1-west unreachable"));
            assertThat(s.shard("s1").primary()).contains("s1-east");
        } finally {
            lab.start("s1-west");
        }
        awaitVerdict("west", Verdict.HEALTHY, Duration.ofSeconds(20));
    }

    @Test
    @Order(3)
    void westIsDownOnlyOnceEastCannotReachItEither() {
        westAgent.close();
        DcHealth silent = awaitVerdict("west", Verdict.UNKNOWN, Duration.ofSeconds(15));
        assertThat(silent.reasons()).contains("reachable from agents of east, coordinator c-east in east")
                .anySatisfy(r -> assertThat(r).startsWith("its agents are silent: agent-west-1 last heard"));
        // West's own agent is silent but east still reaches it: that is one observer, not an outage.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(view.evaluate(Instant.now()).dc("west").verdict()).isEqualTo(Verdict.UNKNOWN);
            sleep(200);
        }

        List.of("mariadb s1-west", "mariadb s2-west", "haproxy west", "checkout west").forEach(lab::killProcess);
        DcHealth down = awaitVerdict("west", Verdict.DOWN, Duration.ofSeconds(15));
        // Each round an observer connects to the DC's HAProxy and one of its servers, in turn: 2 targets.
        assertThat(down.reasons()).contains("unreachable from every outside observer: agents of east (2 of 2 targets), "
                + "coordinator c-east in east (2 of 2 targets)");
        assertThat(down.observedBy()).singleElement().satisfies(e -> {
            assertThat(e.coordinator()).isEqualTo("c-east");
            assertThat(e.outside()).isTrue();
            assertThat(e.failures()).hasSize(2).allSatisfy(f -> assertThat(f).contains("Connection refused"));
        });
        assertThat(view.latest().dc("east").verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(view.latest().shard("s1").primary()).contains("s1-east");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
