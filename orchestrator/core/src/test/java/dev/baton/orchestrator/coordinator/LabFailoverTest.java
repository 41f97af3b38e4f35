package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.agents.Agent;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.HttpReporter;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator driving a real 2 DC x 2 shard lab through its API, with a real agent per DC
 * reporting to it over HTTP: a dry run, a real evacuation of east, then a fail-back refused while
 * east's agent is silent and run once an admin forces it, then a site's own runbook from the config's
 * runbooks directory, by name.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class LabFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sre-token";
    private static final String ADMIN = "admin-token";
    private static final Duration AGENT_INTERVAL = Duration.ofMillis(500);
    /** The defaults scaled down so the test takes seconds: silent after 3 missed reports, verdicts hold 1 s. */
    private static final HealthPolicy POLICY = new HealthPolicy(Duration.ofMillis(1500), Duration.ofSeconds(1), 2, 5,
            Duration.ofSeconds(60), 4, Duration.ofSeconds(5));

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Path siteRunbook;
    static CoordinatorConfig config;
    static Coordinator coordinator;
    static ZooKeeperSession zk;
    static final Map<String, Agent> agents = new TreeMap<>();
    static final List<HttpReporter> reporters = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        siteRunbook = Files.writeString(Files.createDirectories(dir.resolve("runbooks")).resolve("site-evacuation.yaml"),
                RunbookCatalogApiTest.siteEvacuation());
        topology = lab.topology();
        String namespace = "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ConfigFile file = new ConfigFile(topology, null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, TokenHash.of(TOKEN)), new ApiUser("ada", ApiRole.ADMIN, TokenHash.of(ADMIN))),
                topology.datacenterNames().stream().map(dc -> new AgentAccount("agent-" + dc, dc, TokenHash.of("agent-token-" + dc))).toList(),
                "audit.jsonl", null, null, "runbooks");
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults(), POLICY);
        zk = new ZooKeeperSession(config.zookeeper()).start(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
        topology.datacenterNames().forEach(LabFailoverTest::startAgent);
        awaitVerdict("east", "HEALTHY");
        awaitVerdict("west", "HEALTHY");
    }

    /** A real agent posting to the coordinator's API, as {@code baton agent} does. */
    private static void startAgent(String dc) {
        HttpReporter reporter = new HttpReporter(List.of(URI.create(coordinator.url())), "agent-token-" + dc, Backoff.defaults(),
                AGENT_INTERVAL);
        reporters.add(reporter);
        agents.put(dc, new Agent("agent-" + dc, dc, Probers.forDc(topology, dc, Duration.ofMillis(400)), reporter, AGENT_INTERVAL).start());
    }

    private static JsonNode dcHealth(String dc) throws Exception {
        for (JsonNode d : JSON.readTree(Http.get(api("/health"), TOKEN).body()).get("datacenters")) {
            if (d.get("dc").asText().equals(dc)) return d;
        }
        throw new AssertionError("no DC " + dc + " in /health");
    }

    private static void awaitVerdict(String dc, String verdict) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(dcHealth(dc).get("verdict").asText())
                .as(() -> {
                    try {
                        return dcHealth(dc).toString();
                    } catch (Exception e) {
                        return e.toString();
                    }
                }).isEqualTo(verdict));
    }

    @AfterAll
    static void stop() {
        try {
            agents.values().forEach(Agent::close);
            reporters.forEach(HttpReporter::close);
            if (coordinator != null) coordinator.close();
            if (zk != null) zk.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    private static String api(String path) {
        return coordinator.url() + "/api/v1" + path;
    }

    /** Everything a failover could change: each server's role, GTID position and master; each writer server's address. */
    private static Map<String, String> worldState() {
        return ServersState.of(topology);
    }

    @Test
    void a_dryRunReturnsThePlanAndChangesNothing() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> response = Http.post(api("/failovers"), TOKEN, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"preview\",\"dryRun\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode plan = JSON.readTree(response.body()).get("plan");
        assertThat(plan.get("shards")).hasSize(2);
        for (JsonNode shard : plan.get("shards")) {
            String name = shard.get("shard").asText();
            assertThat(shard.at("/fence/id").asText()).isEqualTo(name + "-east");
            assertThat(shard.at("/candidate/id").asText()).isEqualTo(name + "-west");
            assertThat(shard.get("frontends")).hasSize(2);
            assertThat(shard.get("problems")).isEmpty();
            DbServer candidate = topology.shard(name).orElseThrow().serverIn("west").orElseThrow();
            assertThat(shard.at("/frontends/0/newTarget/port").asInt()).isEqualTo(candidate.endpoint().port());
        }
        assertThat(worldState()).isEqualTo(before);
        assertThat(Http.get(api("/failovers"), TOKEN).body()).isEqualTo("[]");
        assertThat(JSON.readTree(response.body()).at("/targetHealth/verdict").asText()).isEqualTo("HEALTHY");
    }

    @Test
    void b_aFailoverThroughTheApiMovesThePrimariesRecordsEveryStepAndRefusesASecondOne() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        HttpRequest sse = HttpRequest.newBuilder(URI.create(api("/events"))).header("Authorization", "Bearer " + TOKEN).build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient().sendAsync(sse, HttpResponse.BodyHandlers.ofLines());
        stream.thenAccept(r -> r.body().forEach(events::add));
        await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(l -> l.startsWith(": connected")));

        HttpResponse<String> started = Http.post(api("/failovers"), TOKEN, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"evacuate east\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();
        assertThat(started.headers().firstValue("Location")).contains("/api/v1/failovers/" + id);

        HttpResponse<String> second = Http.post(api("/failovers"), TOKEN, "{\"from\":\"west\",\"to\":\"east\",\"reason\":\"again\"}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).get("message").asText()).contains(id);

        await().atMost(Duration.ofSeconds(30)).until(() ->
                !JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body()).get("state").asText().equals("RUNNING"));
        JsonNode done = JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");

        // The servers, not the coordinator, say where the primaries are.
        for (Shard shard : topology.shards()) {
            assertThat(LiveShard.discover(shard, topology.credentials()).primary().server().dc()).isEqualTo("west");
        }
        // One znode write per step, then one with the result: the progress was persisted as it went.
        for (JsonNode shard : done.get("shards")) {
            String name = shard.get("shard").asText();
            assertThat(shard.get("state").asText()).isEqualTo("SWITCHED");
            List<String> steps = shard.get("steps").findValuesAsText("name");
            assertThat(steps).contains("fence", "catch-up", "promote");
            assertThat(shard.get("writePauseMs").asDouble()).isPositive();
            // The timeline: every step has a start, an end and a duration, in order.
            Instant previousStart = Instant.EPOCH;
            for (JsonNode step : shard.get("steps")) {
                Instant start = Instant.parse(step.get("startedAt").asText());
                assertThat(start).isAfterOrEqualTo(previousStart).isBeforeOrEqualTo(Instant.parse(step.get("doneAt").asText()));
                assertThat(step.get("durationMs").asDouble()).isNotNegative();
                previousStart = start;
            }
            Stat stat = new Stat();
            zk.client().getData().storingStatIn(stat).forPath("/failovers/" + id + "/shards/" + name);
            assertThat(stat.getVersion()).isEqualTo(steps.size() + 1);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(List.copyOf(events))
                .anyMatch(l -> l.equals("event: failover.started"))
                .anyMatch(l -> l.equals("event: failover.step"))
                .anyMatch(l -> l.startsWith("data:") && l.contains("\"step\":\"promote\""))
                .anyMatch(l -> l.equals("event: failover.finished")));
        stream.cancel(true);

        assertThat(Files.readAllLines(config.auditLog()))
                .anyMatch(l -> l.contains("\"who\":\"sre\"") && l.contains("started failover " + id) && l.contains("\"status\":202"))
                .anyMatch(l -> l.contains("\"status\":409") && l.contains("failover_running"));
        assertThat(Http.get(api("/metrics"), TOKEN).body()).contains("baton_failover_duration_seconds_count{outcome=\"succeeded\"} 1");
    }

    @Test
    void d_aFailBackIsRefusedWhileTheTargetsAgentIsSilentAndRunsWhenAnAdminForcesIt() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AutoCloseable listening = coordinator.events().subscribe(e -> events.add(e.type() + " " + e.message()));
        try {
            agents.remove("east").close();
            awaitVerdict("east", "UNKNOWN");
            assertThat(dcHealth("east").get("reasons").get(0).asText()).startsWith("its agents are silent: agent-east last heard");
            await().atMost(Duration.ofSeconds(5)).until(() -> List.copyOf(events).stream()
                    // From HEALTHY, or through DEGRADED when the coordinator's own probe of east is judged first.
                    .anyMatch(e -> e.startsWith("health.verdict DC east is UNKNOWN (was ")));

            Map<String, String> before = worldState();
            String request = "{\"from\":\"west\",\"to\":\"east\",\"reason\":\"fail back\"";
            HttpResponse<String> refused = Http.post(api("/failovers"), TOKEN, request + "}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("target_unhealthy");
            assertThat(JSON.readTree(refused.body()).get("message").asText()).startsWith("target DC east is UNKNOWN");
            assertThat(worldState()).isEqualTo(before);

            HttpResponse<String> forced = Http.post(api("/failovers"), ADMIN, request + ",\"force\":true}");
            assertThat(forced.statusCode()).as(forced.body()).isEqualTo(202);
            String id = JSON.readTree(forced.body()).get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body()).get("state").asText().equals("RUNNING"));
            assertThat(JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body()).get("state").asText()).isEqualTo("SUCCEEDED");
            for (Shard shard : topology.shards()) {
                assertThat(LiveShard.discover(shard, topology.credentials()).primary().server().dc()).isEqualTo("east");
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                    .anyMatch(l -> l.contains("\"who\":\"ada\"") && l.contains("(forced)") && l.contains("started failover " + id)));
        } finally {
            listening.close();
        }
    }

    @Test
    void c_aDcWithoutPrimariesHasNothingToFailOver() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> refused = Http.post(api("/failovers"), TOKEN, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"again\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("message").asText()).startsWith("DC east holds no shard primaries");
        assertThat(worldState()).isEqualTo(before);
    }

    @Test
    void e_aSiteRunbookFromTheConfigsDirectoryRunsByName() throws Exception {
        // d_ left every primary in east, and east's agent silent: west is the healthy target.
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AutoCloseable listening = coordinator.events().subscribe(e -> events.add(e.type() + " " + e.message()));
        try {
            HttpResponse<String> started = Http.post(api("/failovers"), TOKEN,
                    "{\"runbook\":\"site-evacuation\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"site drill\"}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            String id = JSON.readTree(started.body()).get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body()).get("state").asText().equals("RUNNING"));
            JsonNode done = JSON.readTree(Http.get(api("/failovers/" + id), TOKEN).body());

            assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.at("/runbook/runbook").asText()).isEqualTo("site-evacuation");
            for (Shard shard : topology.shards()) {
                assertThat(LiveShard.discover(shard, topology.credentials()).primary().server().dc()).isEqualTo("west");
            }
            JsonNode report = null;
            for (JsonNode step : done.get("timeline")) if (step.get("name").asText().equals("report")) report = step;
            assertThat(report).as(done.toString()).isNotNull();
            assertThat(report.get("changes").get(0).asText()).isEqualTo("site-evacuation moved checkout from east to west: site drill");
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(siteRunbook)));
            assertThat(List.copyOf(events)).anyMatch(e -> e.startsWith("failover.started sre started runbook site-evacuation"
                    + " (site file site-evacuation.yaml, sha256 " + sha256 + ") from east to west"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                    .anyMatch(l -> l.contains("started failover " + id + " (runbook site-evacuation)")));
        } finally {
            listening.close();
        }
    }
}
