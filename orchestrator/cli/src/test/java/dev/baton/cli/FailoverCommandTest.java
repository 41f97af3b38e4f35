package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lab as an SRE runs it: {@code lab config}, a coordinator and an agent per DC as child
 * processes of {@code baton}, and {@code baton failover} against them.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class FailoverCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when a test fails: the children's logs say why. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Path labDir;
    static Topology topology;
    static final List<Process> children = new ArrayList<>();
    static String coordinatorUrl;
    static String viewerToken;

    @BeforeAll
    static void start() throws Exception {
        labDir = dir.resolve("lab");
        topology = Lab.up(new LabSpec(labDir, List.of("east", "west"), 2, 0, true)).topology();
        MainTest.Run config = MainTest.run("lab", "config", "--dir", labDir.toString());
        assertThat(config.code()).as(config.err()).isZero();
        assertThat(config.out()).contains("./baton agent --config " + labDir.resolve("agent-east.yaml"));
        Map<String, String> tokens = Files.readAllLines(labDir.resolve("api-tokens")).stream().map(l -> l.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1]));
        viewerToken = tokens.get("viewer");

        child("coordinator-east", "coordinator", "--config", labDir.resolve("coordinator.yaml").toString(), "--id", "coordinator-east");
        for (String dc : topology.datacenterNames()) child("agent-" + dc, "agent", "--config", labDir.resolve("agent-" + dc + ".yaml").toString());
        coordinatorUrl = "http://" + topology.datacenter("east").orElseThrow().address() + ":"
                + dev.baton.orchestrator.config.ConfigLoader.load(labDir.resolve("coordinator.yaml")).coordinator("coordinator-east")
                .orElseThrow().http().port();
        // A JVM start on a busy 2-core machine, then the default policy: a verdict holds 2 s before it counts.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
            JsonNode health = JSON.readTree(get("/health"));
            assertThat(health.get("datacenters").findValuesAsText("verdict")).as(health.toString()).containsOnly("HEALTHY");
        });
    }

    private static void child(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        children.add(new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start());
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(coordinatorUrl + "/api/v1" + path))
                .header("Authorization", "Bearer " + viewerToken).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            for (Process p : children) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            Lab.attach(labDir).ifPresent(Lab::down);
        }
    }

    private static String primaryDc(Shard shard) {
        return LiveShard.discover(shard, topology.credentials()).primary().server().dc();
    }

    /** The id of the failover b_ ran to its end. */
    static String succeeded;

    @Test
    void a_aDryRunPrintsThePlanAndChangesNothing() {
        MainTest.Run r = MainTest.run("failover", "--from", "east", "--to", "west", "--runbook", "planned-evacuation", "--dry-run",
                "--dir", labDir.toString());
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("plan: fail over from east to west (target west is HEALTHY)")
                .contains("plan: runbook planned-evacuation, from east to west").contains("4. switch-shards [switch-shards]")
                .contains("fence s1-east (" + topology.shard("s1").orElseThrow().serverIn("east").orElseThrow().endpoint().host())
                .contains("promote s2-west (").contains("flip 2 writer frontend(s): east, west")
                .contains("dns: checkout.example.test. A " + topology.datacenter("east").orElseThrow().address())
                .contains("lb: DRAIN")
                .contains("dry run: nothing changed");
        topology.shards().forEach(s -> assertThat(primaryDc(s)).isEqualTo("east"));
    }

    @Test
    void b_aFailoverIsFollowedToItsReport() {
        MainTest.Run r = MainTest.run("failover", "--from", "east", "--to", "west", "--wait", "--reason", "cli test",
                "--dir", labDir.toString());
        assertThat(r.code()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).containsPattern("failover f-\\S+ started on http://")
                .containsPattern("failover f-\\S+ SUCCEEDED in \\d+ ms")
                .containsPattern("s1 +SWITCHED +write pause \\d+\\.\\d ms")
                .contains("promote")
                .containsPattern("drain-dns +DONE")
                .contains("dns: checkout.example.test. A " + topology.datacenter("east").orElseThrow().address() + " -> "
                        + topology.datacenter("west").orElseThrow().address())
                .contains("lb: HAProxy east");
        topology.shards().forEach(s -> assertThat(primaryDc(s)).isEqualTo("west"));
        Matcher id = Pattern.compile("failover (f-\\S+) started on").matcher(r.out());
        assertThat(id.find()).isTrue();
        succeeded = id.group(1);
    }

    @Test
    void c_aRefusalPrintsTheApisMessageAndExitsNonZero() {
        MainTest.Run r = MainTest.run("failover", "--from", "east", "--to", "west", "--dir", labDir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("(409 conflict): DC east holds no shard primaries");

        MainTest.Run unknown = MainTest.run("failover", "--from", "east", "--to", "north", "--dir", labDir.toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("(404 not_found): 'to': unknown DC 'north'; known: east, west");

        MainTest.Run noLab = MainTest.run("failover", "--from", "east", "--to", "west", "--dir", "/nonexistent/lab");
        assertThat(noLab.code()).isEqualTo(2);
        assertThat(noLab.err()).contains("/nonexistent/lab/coordinator.yaml");
    }

    @Test
    void e_approvingAFailoverThatWaitsForNothingIsRefusedNamingWhy() {
        assertThat(succeeded).as("the failover of b_").isNotNull();
        MainTest.Run done = MainTest.run("failover", "approve", succeeded, "--comment", "too late", "--dir", labDir.toString());
        assertThat(done.code()).as(done.out()).isEqualTo(1);
        assertThat(done.err()).contains("(409 conflict): failover " + succeeded + " waits for no approval: it SUCCEEDED at ");

        MainTest.Run unknown = MainTest.run("failover", "approve", "f-nope", "--dir", labDir.toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("(404 not_found): no failover with id 'f-nope'");

        // The subcommand does not make --from and --to optional for a failover.
        MainTest.Run noFrom = MainTest.run("failover", "--to", "west", "--dir", labDir.toString());
        assertThat(noFrom.code()).isEqualTo(2);
        assertThat(noFrom.err()).contains("Missing required option: '--from=<from>'");
    }

    @Test
    void d_theCoordinatorLogsJsonLines() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("coordinator-east.err"));
        assertThat(lines).isNotEmpty();
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) parsed.add(JSON.readTree(line));
        assertThat(parsed).allSatisfy(e -> assertThat(e.has("level") && e.has("loggerName") && e.has("timestamp")).as(e.toString()).isTrue())
                .anySatisfy(e -> assertThat(e.path("formattedMessage").asText()).contains("coordinator coordinator-east serves"))
                .anySatisfy(e -> assertThat(e.path("formattedMessage").asText()).contains("DC west is HEALTHY"))
                .anySatisfy(e -> assertThat(e.path("kvpList").toString()).contains("{\"event\":\"failover.step\"}", "{\"step\":\"promote\"}"));
        // The other commands keep the plain format.
        assertThat(Files.readString(dir.resolve("agent-east.err"))).doesNotStartWith("{");
    }
}
