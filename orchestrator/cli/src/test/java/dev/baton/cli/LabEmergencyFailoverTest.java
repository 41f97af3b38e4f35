package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.lab.ServerState;
import dev.baton.chaos.lab.StandIns;
import dev.baton.chaos.standins.NotificationSink;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.wire.Credentials;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shipped {@code emergency-failover} runbook, unmodified, on a lab as an SRE runs it: a coordinator
 * and an agent per DC as lab processes, configured by the lab's own coordinator.yaml, whose
 * {@code pager} channel goes to the lab's notification sink. East really dies: every process of it
 * (its MariaDB servers, HAProxy, checkout app, agent and coordinator) is killed by PID; the failover is
 * asked for over the API by an operator, unforced, once the surviving coordinator's health view calls east
 * DOWN and west HEALTHY.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class LabEmergencyFailoverTest {
    /** Kept when a test fails: the lab's and the services' logs say why. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Lab lab;
    static Topology topology;
    static StandIns standIns;
    static LabServices services;

    @BeforeAll
    static void start() throws InterruptedException {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        standIns = lab.standIns().orElseThrow();
        services = LabServices.start(lab, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.down();
    }

    @Test
    void a_theLabsCoordinatorConfigSendsNotificationsToTheSinkAndConsulCallsToTheStandIn() {
        CoordinatorConfig config = ConfigLoader.load(lab.spec().dir().resolve(LabConfig.COORDINATOR_FILE));
        assertThat(config.channels()).containsOnlyKeys("pager", "chat");
        NotifyChannel pager = config.channels().get("pager");
        assertThat(pager.kind()).isEqualTo(NotifyChannel.Kind.PAGERDUTY);
        assertThat(pager.url()).isEqualTo(standIns.notifyUrl("pager"));
        assertThat(pager.routingKey()).isEqualTo(LabConfig.LAB_ROUTING_KEY);
        assertThat(config.channels().get("chat").kind()).isEqualTo(NotifyChannel.Kind.SLACK);
        assertThat(config.channels().get("chat").url()).isEqualTo(standIns.notifyUrl("chat"));
        assertThat(config.consulTarget()).hasValueSatisfying(consul -> {
            assertThat(consul.url()).isEqualTo(standIns.consulUrl());
            assertThat(consul.key()).isEqualTo("baton/lab/active");
        });
        assertThat(lab.status().processes()).extracting(e -> e.name() + (e.running() ? " running" : " DEAD"))
                .contains(StandIns.PROCESS + " running", "coordinator east running", "agent west running");
    }

    @Test
    void b_eastDiesAndTheShippedEmergencyRunbookMovesEveryShardAndAllTrafficWestAndPages() throws Exception {
        for (Shard shard : topology.shards()) lab.kill(shard.serverIn("east").orElseThrow().id());
        for (String process : List.of("haproxy east", "checkout east", "agent east", LabServices.coordinatorProcess("east"))) {
            lab.killProcess(process);
        }
        CoordinatorApi api = services.api("sre");
        // The west coordinator leads once east's ZooKeeper session expires, and calls east DOWN once its
        // agent is silent and nothing outside east reaches it.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            CoordinatorApi.Answer health = api.get("/health");
            assertThat(verdict(health.body(), "east")).as(health.body().toString()).isEqualTo("DOWN");
            assertThat(api.get("/topology").body().path("leader").asText()).isEqualTo("coordinator-west");
        });
        System.out.println("health before the emergency failover: " + api.get("/health").body());

        var request = CoordinatorApi.JSON.createObjectNode()
                .put("runbook", "emergency-failover").put("from", "east").put("to", "west").put("reason", "east is down");
        // West's replicas cannot reach their primaries in the dead east: that must not count against west, or the
        // runbook's own precheck (dc-healthy: west) would refuse the emergency it is for.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            CoordinatorApi.Answer health = api.get("/health");
            assertThat(verdict(health.body(), "west")).as(health.body().toString()).isEqualTo("HEALTHY");
        });
        CoordinatorApi.Answer started = api.post("/failovers", request);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
        String id = started.body().path("id").asText();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> !api.get("/failovers/" + id).body().path("state").asText().equals("RUNNING"));
        JsonNode done = api.get("/failovers/" + id).body();
        System.out.println("emergency failover on the lab's coordinators: " + done);
        assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");

        // Writable in west only (east's servers are dead), and west's writer frontends reach them.
        List<ServerState> servers = lab.status().servers();
        assertThat(servers).filteredOn(s -> s.dc().equals("west")).extracting(ServerState::role).containsOnly(ServerState.Live.PRIMARY);
        assertThat(servers).filteredOn(s -> s.dc().equals("east")).extracting(ServerState::role).containsOnly(ServerState.Live.DOWN);
        for (Shard shard : topology.shards()) {
            placeOrder(topology.datacenter("west").orElseThrow().frontendsOf(shard.name()).orElseThrow().writer());
        }
        // PowerDNS itself, asked over DNS, sends checkout to west.
        assertThat(new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip())
                .isEqualTo(topology.datacenter("west").orElseThrow().address());

        // What PagerDuty would have received, as the sink recorded it.
        assertThat(NotificationSink.read(standIns.notificationsFile())).filteredOn(n -> n.channel().equals("pager")).singleElement()
                .satisfies(page -> {
                    assertThat(page.body().path("routing_key").asText()).isEqualTo(LabConfig.LAB_ROUTING_KEY);
                    assertThat(page.body().path("event_action").asText()).isEqualTo("trigger");
                    assertThat(page.body().path("dedup_key").asText()).isEqualTo("baton-failover-" + id);
                    assertThat(page.body().at("/payload/summary").asText()).contains("Emergency failover of east into west ran");
                });
        // The runbook has no consul step: the stand-in was left alone.
        HttpResponse<String> key = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(standIns.consulUrl() + "/v1/kv/baton/lab/active")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(key.statusCode()).isEqualTo(404);
        assertThat(Files.readAllLines(lab.spec().dir().resolve("coordinator-audit.jsonl")))
                .anyMatch(l -> l.contains("started failover " + id) && !l.contains("(forced)"));
    }

    private static String verdict(JsonNode health, String dc) {
        for (JsonNode d : health.path("datacenters")) {
            if (d.path("dc").asText().equals(dc)) return d.path("verdict").asText();
        }
        return "absent";
    }

    /** One order as the app user: read_only would refuse it on anything but a primary. */
    private static void placeOrder(Endpoint writer) throws Exception {
        Credentials c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(writer, c.database(), 3000, 5000), c.appUser(), c.appPassword());
             Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + UUID.randomUUID()
                    + "', 1, '[]', 100, 'emergency-lab-test')");
        }
    }
}
