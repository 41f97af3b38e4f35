package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Endpoint;
import dev.baton.wire.health.HealthReport;
import org.apache.curator.test.TestingServer;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two coordinators in one JVM on a real ZooKeeper (Curator's TestingServer) and real HTTP. The
 * topology's servers do not exist: everything here is refused or answered before a server is asked.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class CoordinatorApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = "operator-token";
    private static final String VIEWER = "viewer-token";
    private static final String EXPIRED = "expired-token";
    private static final String ADMIN = "admin-token";
    private static final String EAST_AGENT = "east-agent-token";

    @TempDir
    static Path dir;
    static TestingServer zookeeper;
    static CoordinatorConfig config;
    static Coordinator a;
    static Coordinator b;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = new TestingServer(true);
        ConfigFile file = new ConfigFile(ConfigLoaderTest.topology(), null, List.of(
                new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort())),
                new CoordinatorPeer("c-west", "west", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(zookeeper.getConnectString(), "test-api", 4000),
                List.of(new ApiUser("olga", ApiRole.OPERATOR, TokenHash.of(OPERATOR)), new ApiUser("vic", ApiRole.VIEWER, TokenHash.of(VIEWER)),
                        new ApiUser("old", ApiRole.ADMIN, TokenHash.of(EXPIRED), Instant.parse("2020-01-01T00:00:00Z")),
                        new ApiUser("ada", ApiRole.ADMIN, TokenHash.of(ADMIN))),
                List.of(new AgentAccount("agent-east-1", "east", TokenHash.of(EAST_AGENT)),
                        new AgentAccount("agent-west-1", "west", TokenHash.of("west-agent-token"))), "audit.jsonl");
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        a = Coordinator.start(config, "c-east", SwitchoverOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
        b = Coordinator.start(config, "c-west", SwitchoverOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> b.leadership().leaderId().isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        if (b != null) b.close();
        if (a != null) a.close();
        if (zookeeper != null) zookeeper.close();
    }

    private static String api(Coordinator c, String path) {
        return c.url() + "/api/v1" + path;
    }

    private static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void noTokenOrAWrongTokenIs401AndAViewerCannotStartAFailover() throws Exception {
        HttpResponse<String> none = Http.get(api(a, "/topology"), null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(body(none).get("code").asText()).isEqualTo("unauthenticated");
        assertThat(Http.get(api(a, "/topology"), "not-a-token").statusCode()).isEqualTo(401);
        HttpResponse<String> expired = Http.post(api(a, "/failovers"), EXPIRED, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"x\"}");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(body(expired).get("message").asText()).isEqualTo("the token of user old expired at 2020-01-01T00:00:00Z");

        HttpResponse<String> viewer = Http.post(api(a, "/failovers"), VIEWER, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"x\"}");
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(body(viewer).get("message").asText()).contains("vic is a viewer").contains("needs operator");
        assertThat(Http.get(api(a, "/failovers"), VIEWER).statusCode()).isEqualTo(200);
    }

    @Test
    void topologyNamesTheLeader() throws Exception {
        JsonNode view = body(Http.get(api(b, "/topology"), VIEWER));
        assertThat(view.get("coordinator").asText()).isEqualTo("c-west");
        assertThat(view.get("leader").asText()).isEqualTo(a.leadership().isLeader() ? "c-east" : "c-west");
        assertThat(view.at("/topology/datacenters/0/name").asText()).isEqualTo("east");
        // A viewer reads it: no password, API key or TSIG secret in it.
        assertThat(view.at("/topology/credentials/adminUser").asText()).isNotBlank();
        for (String secret : List.of("/topology/credentials/adminPassword", "/topology/credentials/appPassword",
                "/topology/credentials/replPassword", "/topology/dns/apiKey")) {
            assertThat(view.at(secret).asText()).as(secret).isEqualTo("(hidden)");
        }
    }

    @Test
    void badRequestsAreRefusedNamingTheProblem() throws Exception {
        Coordinator leader = a.leadership().isLeader() ? a : b;
        HttpResponse<String> unknown = Http.post(api(leader, "/failovers"), OPERATOR, "{\"from\":\"north\",\"to\":\"west\",\"reason\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(body(unknown).get("message").asText()).isEqualTo("'from': unknown DC 'north'; known: east, west");

        HttpResponse<String> same = Http.post(api(leader, "/failovers"), OPERATOR, "{\"from\":\"west\",\"to\":\"west\",\"reason\":\"x\",\"dryRun\":true}");
        assertThat(same.statusCode()).isEqualTo(400);
        assertThat(body(same).get("message").asText()).contains("both west");

        HttpResponse<String> missing = Http.post(api(leader, "/failovers"), OPERATOR, "{\"from\":\"east\",\"to\":\"west\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(body(missing).get("message").asText()).isEqualTo("missing field 'reason'");

        HttpResponse<String> unknownField = Http.post(api(leader, "/failovers"), OPERATOR, "{\"form\":\"east\"}");
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(body(unknownField).get("message").asText()).contains("\"form\"");

        HttpResponse<String> noLimit = Http.get(api(leader, "/failovers?limit=0"), VIEWER);
        assertThat(noLimit.statusCode()).isEqualTo(400);
        assertThat(body(noLimit).get("message").asText()).isEqualTo("limit must be 1 to 5000, got 0");
        HttpResponse<String> wordLimit = Http.get(api(leader, "/failovers?limit=all"), VIEWER);
        assertThat(wordLimit.statusCode()).isEqualTo(400);
        assertThat(body(wordLimit).get("message").asText()).isEqualTo("limit must be a whole number, got 'all'");
        assertThat(Http.get(api(leader, "/failovers?limit=5000"), VIEWER).statusCode()).isEqualTo(200);

        HttpResponse<String> noSuch = Http.get(api(leader, "/failovers/f-nope"), VIEWER);
        assertThat(noSuch.statusCode()).isEqualTo(404);
        assertThat(body(noSuch).get("message").asText()).contains("f-nope");

        assertThat(Http.post(api(leader, "/failovers/f-nope/abort"), OPERATOR, "").statusCode()).isEqualTo(404);
        HttpResponse<String> badAbort = Http.post(api(leader, "/failovers/f-nope/abort"), OPERATOR, "{\"why\":\"typo\"}");
        assertThat(badAbort.statusCode()).isEqualTo(400);
        assertThat(body(badAbort).get("message").asText()).startsWith("malformed abort request: ").contains("\"why\"");
    }

    @Test
    void approvingIsForOperatorsAndNamesWhatIsWrong() throws Exception {
        Coordinator leader = a.leadership().isLeader() ? a : b;
        HttpResponse<String> viewer = Http.post(api(leader, "/failovers/f-nope/approve"), VIEWER, "{\"comment\":\"ok\"}");
        assertThat(viewer.statusCode()).isEqualTo(403);
        assertThat(body(viewer).get("message").asText()).contains("vic is a viewer").contains("needs operator");

        HttpResponse<String> unknown = Http.post(api(leader, "/failovers/f-nope/approve"), OPERATOR, "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(body(unknown).get("message").asText()).isEqualTo("no failover with id 'f-nope'");
        HttpResponse<String> badBody = Http.post(api(leader, "/failovers/f-nope/approve"), OPERATOR, "{\"why\":\"typo\"}");
        assertThat(badBody.statusCode()).isEqualTo(400);
        assertThat(body(badBody).get("message").asText()).startsWith("malformed approve request: ").contains("\"why\"");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                .anySatisfy(line -> {
                    JsonNode e = JSON.readTree(line);
                    assertThat(e.get("who").asText()).isEqualTo("vic");
                    assertThat(e.get("status").asInt()).isEqualTo(403);
                    assertThat(e.get("path").asText()).isEqualTo("/api/v1/failovers/f-nope/approve");
                }));
    }

    @Test
    void followerRefusesAFailoverAndNamesTheLeader() throws Exception {
        Coordinator follower = a.leadership().isLeader() ? b : a;
        Coordinator leader = follower == a ? b : a;
        HttpResponse<String> refused = Http.post(api(follower, "/failovers"), OPERATOR, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(body(refused).get("code").asText()).isEqualTo("not_leader");
        assertThat(body(refused).get("leader").asText()).isEqualTo(leader.url());
    }

    @Test
    void aFollowerAnswersADryRunAndNamesEveryServerItCannotAsk() throws Exception {
        Coordinator follower = a.leadership().isLeader() ? b : a;
        HttpResponse<String> dryRun = Http.post(api(follower, "/failovers"), OPERATOR,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"preview\",\"dryRun\":true}");
        assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
        JsonNode plan = body(dryRun).get("plan");
        assertThat(plan.get("shards")).isEmpty();
        assertThat(plan.get("problems").get(0).asText()).startsWith("shard s1 has no writable primaries")
                .contains("s1-east (", "s1-west (");
        assertThat(Http.get(api(follower, "/failovers"), VIEWER).body()).isEqualTo("[]");
    }

    @Test
    void openApiMetricsAndAuditLog() throws Exception {
        HttpResponse<String> openApi = Http.get(api(a, "/openapi.json"), null);
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(body(openApi).get("paths").fieldNames()).toIterable()
                .contains("/topology", "/failovers", "/failovers/{id}", "/failovers/{id}/abort", "/failovers/{id}/approve", "/events", "/metrics", "/health",
                        "/agents", "/agents/reports");

        Http.post(api(a, "/failovers"), VIEWER, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"audit me\"}");
        Http.post(api(a, "/failovers"), null, "{}");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                .anySatisfy(line -> {
                    JsonNode e = JSON.readTree(line);
                    assertThat(e.get("who").asText()).isEqualTo("vic");
                    assertThat(e.get("status").asInt()).isEqualTo(403);
                    assertThat(e.get("outcome").asText()).isEqualTo("forbidden");
                    assertThat(e.get("path").asText()).isEqualTo("/api/v1/failovers");
                })
                .anySatisfy(line -> assertThat(JSON.readTree(line).get("who").asText()).isEqualTo("anonymous")));

        HttpResponse<String> metrics = Http.get(api(a, "/metrics"), VIEWER);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("baton_api_requests_total{method=\"POST\",status=\"403\"}")
                .contains("baton_coordinator_leader ");
    }

    /**
     * Every endpoint of this topology is 127.0.0.1:1, where nothing listens: each coordinator fails
     * to connect to both DCs, and each sees the other's observation through ZooKeeper.
     */
    @Test
    void healthShowsWhatEachCoordinatorSawOfEachDc() throws Exception {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode west = dc(body(Http.get(api(a, "/health"), VIEWER)), "west");
            assertThat(west.get("observedBy").findValuesAsText("coordinator")).containsExactly("c-east", "c-west");
            JsonNode byEast = west.get("observedBy").get(0);
            assertThat(byEast.get("outside").asBoolean()).isTrue();
            assertThat(byEast.get("fresh").asBoolean()).isTrue();
            assertThat(byEast.get("reachable").asBoolean()).isFalse();
            assertThat(byEast.get("targets").asInt()).isEqualTo(2);
            assertThat(byEast.get("ageMs").asLong()).isBetween(0L, 5000L);
            assertThat(byEast.get("failures").get(0).asText()).startsWith("haproxy west at 127.0.0.1:1: ").containsIgnoringCase("refused");
            // c-west sees its own DC from inside: shown, but no evidence about west.
            assertThat(west.get("observedBy").get(1).get("outside").asBoolean()).isFalse();
            assertThat(west.get("observedBy").get(1).get("fresh").asBoolean()).as("read from ZooKeeper").isTrue();
        });
        // Nobody outside west reaches it and no agent of west ever reported: both kinds of evidence agree.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode west = dc(body(Http.get(api(a, "/health"), VIEWER)), "west");
            assertThat(west.get("verdict").asText()).isEqualTo("DOWN");
            assertThat(JSON.convertValue(west.get("reasons"), String[].class))
                    .contains("unreachable from every outside observer: coordinator c-east in east (2 of 2 targets)");
        });
        // b's metrics are b's own view: it reads both observations from ZooKeeper on its own rounds, so it may lag a's.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Http.get(api(b, "/metrics"), VIEWER).body()).contains(
                "baton_dc_reachable{coordinator=\"c-east\",dc=\"west\"} 0.0", "baton_dc_reachable{coordinator=\"c-west\",dc=\"east\"} 0.0"));
    }

    private static JsonNode dc(JsonNode health, String name) {
        for (JsonNode d : health.get("datacenters")) if (d.get("dc").asText().equals(name)) return d;
        throw new AssertionError("no DC " + name + " in " + health);
    }

    private static String report(String agent, String dc, long sequence, Instant sentAt) {
        return new HealthReport(agent, dc, sequence, sentAt, List.of()).toJson();
    }

    @Test
    void agentReportsAreAcceptedOrRefusedWithACodeNamingTheProblem() throws Exception {
        String url = api(a, "/agents/reports");
        long seq = System.nanoTime();
        assertThat(Http.post(url, EAST_AGENT, report("agent-east-1", "east", seq, Instant.now())).statusCode()).isEqualTo(204);

        HttpResponse<String> replay = Http.post(url, EAST_AGENT, report("agent-east-1", "east", seq, Instant.now()));
        assertThat(replay.statusCode()).isEqualTo(409);
        assertThat(body(replay).get("code").asText()).isEqualTo("replayed");
        assertThat(body(replay).get("message").asText()).contains("agent-east-1", "replayed sequence " + seq);

        HttpResponse<String> foreign = Http.post(url, EAST_AGENT, report("agent-east-1", "west", seq + 1, Instant.now()));
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(body(foreign).get("code").asText()).isEqualTo("dc_mismatch");
        assertThat(body(foreign).get("message").asText()).isEqualTo("agent agent-east-1 is registered for DC east but reports for west");

        HttpResponse<String> other = Http.post(url, EAST_AGENT, report("agent-west-1", "west", seq + 1, Instant.now()));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(body(other).get("code").asText()).isEqualTo("agent_mismatch");

        HttpResponse<String> stale = Http.post(url, EAST_AGENT, report("agent-east-1", "east", seq + 1, Instant.now().minusSeconds(60)));
        assertThat(stale.statusCode()).isEqualTo(422);
        assertThat(body(stale).get("code").asText()).isEqualTo("stale");

        HttpResponse<String> malformed = Http.post(url, EAST_AGENT, "{\"agentId\":\"agent-east-1\"");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(body(malformed).get("code").asText()).isEqualTo("malformed");

        assertThat(Http.post(url, "wrong", report("agent-east-1", "east", seq + 2, Instant.now())).statusCode()).isEqualTo(401);
        assertThat(Http.post(url, null, report("agent-east-1", "east", seq + 2, Instant.now())).statusCode()).isEqualTo(401);
        // A user's token is no agent's.
        assertThat(Http.post(url, ADMIN, report("agent-east-1", "east", seq + 2, Instant.now())).statusCode()).isEqualTo(401);

        JsonNode agents = body(Http.get(api(a, "/agents"), VIEWER));
        assertThat(agents).hasSize(1);
        assertThat(agents.get(0).get("agentId").asText()).isEqualTo("agent-east-1");
        assertThat(agents.get(0).get("lastSequence").asLong()).isEqualTo(seq);
        // Agent traffic is not audited: it is not an operator's action.
        assertThat(Files.exists(config.auditLog()) ? Files.readString(config.auditLog()) : "").doesNotContain("/agents/reports");
        assertThat(Http.get(api(a, "/metrics"), VIEWER).body())
                .contains("baton_agent_reports_total{outcome=\"accepted\"}", "baton_agent_reports_total{outcome=\"replayed\"} 1.0",
                        "baton_dc_verdict{dc=\"west\"} ", "baton_agent_report_lag_milliseconds{agent=\"agent-east-1\",dc=\"east\"}");
    }

    @Test
    void aReconnectingEventStreamGetsTheEventsItMissed() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create(api(a, "/events"))).header("Authorization", "Bearer " + VIEWER)
                .header("Last-Event-ID", "0").build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        stream.thenAccept(r -> r.body().forEach(lines::add));
        try {
            // Event 1 was published when the coordinator joined the election, before this stream existed.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(List.copyOf(lines))
                    .containsSubsequence("id: 1", "event: leadership"));
        } finally {
            stream.cancel(true);
        }
        HttpResponse<String> bad = Http.get(api(a, "/events"), VIEWER, "Last-Event-ID", "yesterday");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(body(bad).get("message").asText()).contains("'yesterday'");
    }

    @Test
    void healthShowsEveryDcWithReasons() throws Exception {
        // The view is evaluated every second: the first evaluation may not have run yet.
        await().atMost(Duration.ofSeconds(5)).until(() -> !body(Http.get(api(a, "/health"), VIEWER)).toString()
                .contains("not evaluated yet"));
        JsonNode health = body(Http.get(api(a, "/health"), VIEWER));
        assertThat(health.get("datacenters")).hasSize(2);
        JsonNode west = health.get("datacenters").get(1);
        assertThat(west.get("dc").asText()).isEqualTo("west");
        // DOWN once the coordinators' failed connects are in and held (see healthShowsWhatEachCoordinatorSawOfEachDc).
        assertThat(west.get("verdict").asText()).isIn("UNKNOWN", "DOWN");
        assertThat(west.get("reasons").get(0).asText()).isEqualTo("no report ever from an agent of west");
    }

    @Test
    void anUnhealthyTargetRefusesAFailoverAndOnlyAnAdminMayForceIt() throws Exception {
        Coordinator leader = a.leadership().isLeader() ? a : b;
        HttpResponse<String> refused = Http.post(api(leader, "/failovers"), OPERATOR, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(body(refused).get("code").asText()).isEqualTo("target_unhealthy");
        assertThat(body(refused).get("message").asText()).matches("target DC west is (UNKNOWN|DOWN) since .*").contains("an admin may force it");

        HttpResponse<String> notAdmin = Http.post(api(leader, "/failovers"), OPERATOR,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\",\"force\":true}");
        assertThat(notAdmin.statusCode()).isEqualTo(403);
        assertThat(body(notAdmin).get("message").asText()).contains("olga is a operator", "needs admin");

        // Forced past the health check, the next one still holds: these servers do not exist.
        HttpResponse<String> forced = Http.post(api(leader, "/failovers"), ADMIN,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\",\"force\":true}");
        assertThat(forced.statusCode()).isEqualTo(409);
        assertThat(body(forced).get("code").asText()).isEqualTo("not_ready");
        // Servers that cannot be asked do not clear by themselves: a client must not wait for them.
        assertThat(body(forced).get("catchingUp").asBoolean(true)).isFalse();
        assertThat(body(forced).get("problems")).isNotEmpty();
    }

    /** Last (methods run by name): it closes the leader. */
    @Test
    void z_theOtherCoordinatorTakesOverWhenTheLeaderCloses() {
        Coordinator leader = a.leadership().isLeader() ? a : b;
        Coordinator follower = leader == a ? b : a;
        assertThat(follower.leadership().isLeader()).isFalse();
        leader.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> follower.leadership().isLeader());
        assertThat(follower.leadership().leaderId()).contains(follower.id());
    }
}
