package dev.baton.cli;

import dev.baton.chaos.lab.Lab;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.coordinator.Coordinator;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CoordinatorCommandTest {

    @Test
    void helpListsTheCoordinator() {
        assertThat(MainTest.run("--help").out()).contains("coordinator");
        assertThat(MainTest.run("lab", "--help").out()).contains("config");
    }

    @Test
    void aMissingConfigIsNamed() {
        MainTest.Run r = MainTest.run("coordinator", "--config", "/nonexistent/coordinator.yaml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("/nonexistent/coordinator.yaml");
    }

    @Test
    void theLabWritesAConfigACoordinatorRunsOn(@TempDir Path dir) throws Exception {
        Path labDir = dir.resolve("lab");
        try {
            assertThat(MainTest.run("lab", "up", "--dir", labDir.toString(), "--no-checkout-apps").code()).isZero();
            MainTest.Run config = MainTest.run("lab", "config", "--dir", labDir.toString());
            assertThat(config.code()).as(config.err()).isZero();
            assertThat(config.out()).contains("./baton coordinator --config " + labDir.resolve("coordinator.yaml") + " --id coordinator-east");

            Path tokens = labDir.resolve("api-tokens");
            assertThat(Files.getPosixFilePermissions(tokens)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Map<String, String> byUser = Files.readAllLines(tokens).stream().map(l -> l.split("=", 2))
                    .collect(Collectors.toMap(p -> p[0], p -> p[1]));
            assertThat(Files.readString(labDir.resolve("coordinator.yaml"))).doesNotContain(byUser.get("sre"));

            CoordinatorConfig loaded = ConfigLoader.load(labDir.resolve("coordinator.yaml"));
            assertThat(loaded.coordinators()).extracting(c -> c.dc()).containsExactly("east", "west");
            assertThat(loaded.coordinators().get(1).http().host()).isEqualTo("127.0.2.1");
            try (Coordinator east = Coordinator.start(loaded, "coordinator-east", SwitchoverOptions.defaults())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> east.leadership().isLeader());
                HttpResponse<String> topology = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(east.url() + "/api/v1/topology"))
                        .header("Authorization", "Bearer " + byUser.get("viewer")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(topology.statusCode()).isEqualTo(200);
                assertThat(topology.body()).contains("\"leader\":\"coordinator-east\"");
            }
        } finally {
            Lab.attach(labDir).ifPresent(Lab::down);
        }
    }
}
