package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
                        new ApiUser("old", ApiRole.ADMIN, TokenHash.of(EXPIRED), Instant.parse("2020-01-01T00:00:00Z"))),
                List.of(), "audit.jsonl");
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

        HttpResponse<String> noSuch = Http.get(api(leader, "/failovers/f-nope"), VIEWER);
        assertThat(noSuch.statusCode()).isEqualTo(404);
        assertThat(body(noSuch).get("message").asText()).contains("f-nope");

        assertThat(Http.post(api(leader, "/failovers/f-nope/abort"), OPERATOR, "").statusCode()).isEqualTo(404);
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
                .contains("/topology", "/failovers", "/failovers/{id}", "/failovers/{id}/abort", "/events", "/metrics");

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
