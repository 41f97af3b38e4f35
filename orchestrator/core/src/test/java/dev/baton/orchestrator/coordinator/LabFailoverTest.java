package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A coordinator driving a real 2 DC x 2 shard lab through its API: a dry run, then a real evacuation of east. */
@TestMethodOrder(MethodOrderer.MethodName.class)
class LabFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sre-token";

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static CoordinatorConfig config;
    static Coordinator coordinator;
    static ZooKeeperSession zk;

    @BeforeAll
    static void start() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, false));
        topology = lab.topology();
        String namespace = "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        ConfigFile file = new ConfigFile(topology, null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, TokenHash.of(TOKEN))), List.of(), "audit.jsonl");
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults());
        zk = new ZooKeeperSession(config.zookeeper()).start(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
    }

    @AfterAll
    static void stop() {
        try {
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
        Map<String, String> state = new TreeMap<>();
        for (Shard shard : topology.shards()) {
            for (DbServer s : shard.servers()) {
                try (MariaDbServer server = new MariaDbServer(s, topology.credentials())) {
                    ServerStatus.Up up = (ServerStatus.Up) server.status();
                    state.put(s.id(), "read_only=" + up.readOnly() + " binlog=" + up.binlogPos() + " master="
                            + up.replication().map(r -> r.master() + " io=" + r.ioRunning() + " sql=" + r.sqlRunning()).orElse("none")
                            + " semisync=" + up.semiSyncMaster());
                }
            }
            for (Datacenter dc : topology.datacenters()) {
                ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow();
                ServerState w = new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
                state.put(dc.name() + "/" + f.writerBackend(), w.address() + ":" + w.port() + " maxconn=" + w.maxconn()
                        + " admin=" + w.adminState());
            }
        }
        return state;
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
    void c_aDcWithoutPrimariesHasNothingToFailOver() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> refused = Http.post(api("/failovers"), TOKEN, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"again\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(refused.body()).get("message").asText()).startsWith("DC east holds no shard primaries");
        assertThat(worldState()).isEqualTo(before);
    }
}
