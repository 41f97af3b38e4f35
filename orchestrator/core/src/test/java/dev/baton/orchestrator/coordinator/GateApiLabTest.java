package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agents.Agent;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.HttpReporter;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.lab.StandIns;
import dev.baton.chaos.standins.NotificationSink;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsulConfig;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.consul.ActiveDc;
import dev.baton.orchestrator.consul.ConsulDirector;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An approval gate driven over the HTTP API of a real coordinator on a 2 DC x 2 shard lab, with a
 * real agent per DC: the gated runbook is a site runbook from the config's runbooks directory; its
 * Consul is the lab's stand-in, its report goes to the lab's notification sink. Who may abort or approve is checked by the API (401
 * without a token, 403 for a viewer) and a refused call changes nothing; an operator's abort rolls
 * the traffic back, an operator's approval lets the failover go on.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class GateApiLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = "sre-token";
    private static final String VIEWER = "viewer-token";
    private static final Duration AGENT_INTERVAL = Duration.ofMillis(500);
    /** Scaled down like LabFailoverTest's, so the DCs are HEALTHY within seconds. */
    private static final HealthPolicy POLICY = new HealthPolicy(Duration.ofMillis(1500), Duration.ofSeconds(1), 2, 5,
            Duration.ofSeconds(60), 4, Duration.ofSeconds(5));
    /**
     * Traffic to ${to}, then a person confirms; before the gate nothing but traffic moved, so a rollback puts it all
     * back. After it, the active DC goes to Consul (the lab's stand-in) and a report to the lab's notification sink.
     */
    private static final String GATED = """
            name: gated-drain
            description: Checkout traffic to ${to}, then a person confirms that it stays there.
            scope: datacenter
            steps:
              - id: precheck
                kind: precheck
                timeout: 10s
                conditions:
                  - dc-healthy: ${to}
                  - primaries-in: ${from}
              - id: drain-dns
                kind: drain-dns
                to: ${to}
                timeout: 10s
                onFailure: rollback
                undo: restore-dns
              - id: drain-lb
                kind: drain-lb
                action: drain
                from: ${from}
                to: ${to}
                timeout: 10s
                onFailure: rollback
                undo: restore-lb
              - id: approve
                kind: approval
                role: operator
                prompt: "Checkout traffic is in ${to}: keep it there?"
                timeout: 120s
                onFailure: rollback
              - id: active-dc
                kind: consul
                kv: {key: "baton/lab/active", value: "${to}"}
                timeout: 10s
              - id: report
                kind: notify
                message: "Checkout stays in ${to}: ${reason}"
                channels: [chat]
            rollback:
              - id: restore-dns
                kind: drain-dns
                to: ${from}
                timeout: 10s
              - id: restore-lb
                kind: drain-lb
                action: restore
                timeout: 10s
            """;
    private static final String REQUEST = "{\"runbook\":\"gated-drain\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"%s\"}";

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static StandIns standIns;
    static CoordinatorConfig config;
    static Coordinator coordinator;
    static final List<Agent> agents = new ArrayList<>();
    static final List<HttpReporter> reporters = new ArrayList<>();
    static final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        standIns = lab.standIns().orElseThrow();
        Files.writeString(Files.createDirectories(dir.resolve("runbooks")).resolve("gated-drain.yaml"), GATED);
        ConfigFile file = new ConfigFile(topology, null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(topology.zookeeper().toString(), "gate-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, TokenHash.of(OPERATOR)), new ApiUser("vic", ApiRole.VIEWER, TokenHash.of(VIEWER))),
                topology.datacenterNames().stream().map(dc -> new AgentAccount("agent-" + dc, dc, TokenHash.of("agent-token-" + dc))).toList(),
                "audit.jsonl", Map.of("chat", new NotifyChannel(NotifyChannel.Kind.SLACK, standIns.notifyUrl("chat"), null)),
                new ConsulConfig(standIns.consulUrl(), null, null), "runbooks");
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults(), POLICY);
        coordinator.events().subscribe(e -> events.add(e.type() + " " + e.message()));
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
        for (String dc : topology.datacenterNames()) {
            HttpReporter reporter = new HttpReporter(List.of(URI.create(coordinator.url())), "agent-token-" + dc, Backoff.defaults(),
                    AGENT_INTERVAL);
            reporters.add(reporter);
            agents.add(new Agent("agent-" + dc, dc, Probers.forDc(topology, dc, Duration.ofMillis(400)), reporter, AGENT_INTERVAL).start());
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(JSON.readTree(Http.get(api("/health"), VIEWER).body())
                .get("datacenters").findValuesAsText("verdict")).containsOnly("HEALTHY"));
    }

    @AfterAll
    static void stop() {
        try {
            agents.forEach(Agent::close);
            reporters.forEach(HttpReporter::close);
            if (coordinator != null) coordinator.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    @Test
    void a_anAbortWithoutATokenOrByAViewerIsRefusedAndChangesNothingAnOperatorsRollsTheTrafficBack() throws Exception {
        String dnsBefore = servedDns();
        Map<String, Map<String, Integer>> weightsBefore = new CheckoutDrain(topology).weights();
        Map<String, String> serversBefore = ServersState.of(topology);
        String id = startAndAwaitTheGate("abort test");
        String drained = servedDns();
        Map<String, Map<String, Integer>> drainedWeights = new CheckoutDrain(topology).weights();
        assertThat(drained).as("not vacuous: drain-dns moved the record").isEqualTo(address("west")).isNotEqualTo(dnsBefore);
        assertThat(drainedWeights).as("not vacuous: drain-lb moved the weights").isNotEqualTo(weightsBefore);

        HttpResponse<String> anonymous = Http.post(api("/failovers/" + id + "/abort"), null, "{\"reason\":\"who am I\"}");
        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
        HttpResponse<String> viewer = Http.post(api("/failovers/" + id + "/abort"), VIEWER, "{\"reason\":\"just looking\"}");
        assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(403);
        JsonNode still = failover(id);
        assertThat(still.path("state").asText()).isEqualTo("RUNNING");
        assertThat(step(still, "approve").path("state").asText()).isEqualTo("WAITING");
        assertThat(servedDns()).isEqualTo(drained);
        assertThat(new CheckoutDrain(topology).weights()).isEqualTo(drainedWeights);

        HttpResponse<String> aborted = Http.post(api("/failovers/" + id + "/abort"), OPERATOR, "{\"reason\":\"wrong DC\"}");
        assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !failover(id).path("state").asText().equals("RUNNING"));
        JsonNode done = failover(id);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("ROLLED_BACK");
        assertThat(done.path("reason").asText()).isEqualTo("aborted by sre: wrong DC");
        assertThat(step(done, "approve").path("error").asText()).isEqualTo("stopped waiting: aborted by sre: wrong DC");
        assertThat(step(done, "report").path("state").asText()).isEqualTo("SKIPPED");

        assertThat(servedDns()).isEqualTo(dnsBefore);
        assertThat(new CheckoutDrain(topology).weights()).isEqualTo(weightsBefore);
        assertThat(ServersState.of(topology)).isEqualTo(serversBefore);
        assertThat(NotificationSink.read(standIns.notificationsFile())).as("the report step never ran").isEmpty();
        try (ConsulDirector consul = new ConsulDirector(config.consul(), topology)) {
            assertThat(consul.current()).as("the consul step never ran").isEmpty();
        }
        assertThat(List.copyOf(events)).anyMatch(e -> e.startsWith("failover.abort failover " + id + " aborted by sre: wrong DC"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                .anyMatch(l -> l.contains("\"who\":\"vic\"") && l.contains("/failovers/" + id + "/abort") && l.contains("\"status\":403"))
                .anyMatch(l -> l.contains("\"who\":\"sre\"") && l.contains("aborted failover " + id + ": wrong DC") && l.contains("\"status\":200")));
    }

    @Test
    void b_anApprovalByAViewerIsRefusedAnOperatorsLetsTheFailoverGoOnToConsulAndItsReport() throws Exception {
        String id = startAndAwaitTheGate("approve test");
        assertThat(servedDns()).isEqualTo(address("west"));

        HttpResponse<String> viewer = Http.post(api("/failovers/" + id + "/approve"), VIEWER, "{\"comment\":\"looks fine to me\"}");
        assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(403);
        assertThat(JSON.readTree(viewer.body()).path("message").asText()).contains("user vic is a viewer");
        assertThat(step(failover(id), "approve").path("state").asText()).isEqualTo("WAITING");
        HttpResponse<String> anonymous = Http.post(api("/failovers/" + id + "/approve"), null, "{}");
        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);

        HttpResponse<String> approved = Http.post(api("/failovers/" + id + "/approve"), OPERATOR, "{\"comment\":\"DNS looks right\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !failover(id).path("state").asText().equals("RUNNING"));
        JsonNode done = failover(id);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(step(done, "approve").path("changes").get(0).asText()).isEqualTo("approved by sre: DNS looks right");
        assertThat(servedDns()).isEqualTo(address("west"));
        assertThat(NotificationSink.read(standIns.notificationsFile())).singleElement().satisfies(n -> {
            assertThat(n.channel()).isEqualTo("chat");
            assertThat(n.body().path("text").asText()).contains("Checkout stays in west: approve test");
        });
        assertThat(List.copyOf(events)).anyMatch(e -> e.startsWith("failover.approved failover " + id + ": approve approved by sre"));
        try (ConsulDirector consul = new ConsulDirector(config.consul(), topology)) {
            ActiveDc active = consul.current().orElseThrow();
            assertThat(active.activeDc()).isEqualTo("west");
            assertThat(active.failoverId()).isEqualTo(id);
            assertThat(consul.tags()).containsEntry("west", List.of(ConsulDirector.ACTIVE)).containsEntry("east", List.of(ConsulDirector.STANDBY));
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readAllLines(config.auditLog()))
                .anyMatch(l -> l.contains("\"who\":\"vic\"") && l.contains("/failovers/" + id + "/approve") && l.contains("\"status\":403"))
                .anyMatch(l -> l.contains("\"who\":\"sre\"") && l.contains("approved failover " + id + ": DNS looks right")));
    }

    /** Started over the API by the operator; returns once the failover waits at its gate. */
    private static String startAndAwaitTheGate(String reason) throws Exception {
        HttpResponse<String> started = Http.post(api("/failovers"), OPERATOR, REQUEST.formatted(reason));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(step(failover(id), "approve").path("state").asText())
                .as(() -> failover(id).toString()).isEqualTo("WAITING"));
        return id;
    }

    private static JsonNode failover(String id) {
        try {
            return JSON.readTree(Http.get(api("/failovers/" + id), VIEWER).body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode step(JsonNode failover, String name) {
        for (JsonNode step : failover.path("timeline")) if (step.path("name").asText().equals(name)) return step;
        throw new AssertionError("no step " + name + " in " + failover);
    }

    /** What PowerDNS itself answers over DNS, not what the coordinator believes it set. */
    private static String servedDns() {
        return new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
    }

    private static String address(String dc) {
        return topology.datacenter(dc).orElseThrow().address();
    }

    private static String api(String path) {
        return coordinator.url() + "/api/v1" + path;
    }
}
