package dev.baton.cli;

import dev.baton.chaos.bench.ingest.IngestBench;
import dev.baton.chaos.lab.Lab;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A coordinator for a benchmark, in its own JVM (so its RSS and its garbage are its own): a
 * config for the lab's first DC with {@code agents} bench agents spread over the DCs (only
 * their token hashes in the file), started with the given JVM options and stopped by its PID.
 */
final class BenchCoordinator implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(60);

    private final Process process;
    private final String url;
    private final List<IngestBench.Agent> agents;
    private final Path log;

    private BenchCoordinator(Process process, String url, List<IngestBench.Agent> agents, Path log) {
        this.process = process;
        this.url = url;
        this.agents = agents;
        this.log = log;
    }

    static BenchCoordinator start(Lab labUp, int agentCount, List<String> jvmOptions) throws IOException, InterruptedException {
        Path labDir = labUp.spec().dir();
        String topologyFile = labUp.topologyFile().getFileName().toString();
        List<String> dcs = labUp.topology().datacenterNames();
        List<IngestBench.Agent> agents = IntStream.range(0, agentCount)
                .mapToObj(i -> new IngestBench.Agent("bench-agent-%04d".formatted(i), dcs.get(i % dcs.size()), TokenHash.newToken()))
                .toList();
        ConfigFile lab = LabConfig.of(labUp).config();
        CoordinatorPeer self = lab.coordinators().getFirst();
        ConfigFile config = new ConfigFile(null, topologyFile, List.of(self), lab.zookeeper(), lab.users(),
                agents.stream().map(a -> new AgentAccount(a.id(), a.dc(), TokenHash.of(a.token()))).toList(), lab.auditLog());
        Path file = labDir.resolve("bench-coordinator.yaml");
        ConfigLoader.write(config, file);

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell which java runs baton")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "coordinator", "--config", file.toString(), "--id", self.id()));
        Path log = labDir.resolve("bench-coordinator.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BenchCoordinator coordinator = new BenchCoordinator(process, self.url(), agents, log);
        try {
            coordinator.awaitReady();
        } catch (RuntimeException | InterruptedException e) {
            coordinator.close();
            throw e;
        }
        return coordinator;
    }

    /** Its OpenAPI document answers: the API listens (ZooKeeper and leadership do not matter for ingest). */
    private void awaitReady() throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url + "/api/v1/openapi.json")).timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the bench's coordinator (pid " + process.pid() + ") exited with " + process.exitValue()
                        + " before serving " + url + "; its output: " + tail());
            }
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the bench's coordinator (pid " + process.pid() + ") did not serve " + url + " within "
                + READY_WITHIN.toSeconds() + " s; its output: " + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return log + " (unreadable: " + e.getMessage() + ")";
        }
    }

    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    List<IngestBench.Agent> agents() {
        return agents;
    }

    /** SIGTERM (the coordinator's shutdown hook closes it cleanly), SIGKILL if it lingers. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
