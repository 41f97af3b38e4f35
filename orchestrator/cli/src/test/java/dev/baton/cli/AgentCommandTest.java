package dev.baton.cli;

import com.sun.net.httpserver.HttpServer;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AgentCommandTest {
    @TempDir
    Path dir;

    @Test
    void aBadConfigIsRefusedNamingFileLineAndField() throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yaml"), "agentId: a\ndc: [east]\n");
        MainTest.Run r = MainTest.run("agent", "--config", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(file + ":2:", "dc: ");
    }

    @Test
    void runsUntilStoppedReportingToTheCoordinatorWithItsToken() throws Exception {
        // Nothing listens on these endpoints: the probes fail, and the failures are what gets reported.
        Endpoint nowhere = new Endpoint("127.0.0.1", 1);
        new Topology("t", List.of(new Datacenter("east", "127.0.0.1", nowhere, nowhere, List.of(), null)), List.of(),
                new Dns("example.test", "checkout.example.test.", 1, nowhere, "http://127.0.0.1:1", "k"), nowhere,
                new Credentials("shop", "root", "", "app", "app", "repl", "repl")).write(dir.resolve("topology.json"));
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer coordinator = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        coordinator.createContext(HealthReport.PATH, ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if ("Bearer tok-1".equals(ex.getRequestHeaders().getFirst("Authorization"))) received.add(body);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        coordinator.start();
        try {
            Path config = Files.writeString(dir.resolve("agent.yaml"), """
                    agentId: agent-east-1
                    dc: east
                    topologyFile: topology.json
                    coordinators: [http://127.0.0.1:%d]
                    token: tok-1
                    intervalMs: 200
                    probeTimeoutMs: 150
                    """.formatted(coordinator.getAddress().getPort()));
            CompletableFuture<MainTest.Run> run = new CompletableFuture<>();
            Thread runner = Thread.ofPlatform().start(() -> run.complete(MainTest.run("agent", "--config", config.toString())));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
            runner.interrupt();
            MainTest.Run r = run.get();
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("agent agent-east-1 in east probing every 200 ms", "agent agent-east-1 stopped");
            HealthReport report = HealthReport.fromJson(received.getFirst());
            assertThat(report.agentId()).isEqualTo("agent-east-1");
            assertThat(report.probes()).isNotEmpty().allSatisfy(p -> assertThat(p.error()).isNotNull());
        } finally {
            coordinator.stop(0);
        }
    }
}
