package dev.baton.console;

import dev.baton.agents.Agent;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.HttpReporter;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.lab.StandIns;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsoleSettings;
import dev.baton.orchestrator.config.ConsulConfig;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.config.PasswordHash;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.coordinator.Coordinator;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * What the browser tests click through: a real lab (MariaDB pairs with GTID replication, HAProxy,
 * PowerDNS, ZooKeeper, the Consul and notification stand-ins), one coordinator in this JVM serving
 * the console, and a real agent per DC. Users: {@code sre} (operator), {@code vic} (viewer),
 * {@code ada} (admin), each with a password and no token. Besides the shipped runbooks, a site
 * runbook {@code gated-evacuation} waits for an approval after draining traffic: a failover that
 * can surely still be aborted.
 */
final class ConsoleLab implements AutoCloseable {
    static final Map<String, String> PASSWORDS = Map.of("sre", "sre-console-password", "vic", "vic-console-password",
            "ada", "ada-console-password");
    private static final Duration AGENT_INTERVAL = Duration.ofMillis(500);
    /** Scaled down as in the coordinator's lab tests, so the DCs are HEALTHY within seconds. */
    private static final HealthPolicy POLICY = new HealthPolicy(Duration.ofMillis(1500), Duration.ofSeconds(1), 2, 5,
            Duration.ofSeconds(60), 4, Duration.ofSeconds(5));
    static final String GATED = """
            name: gated-evacuation
            description: Checkout traffic to ${to}, then a person approves before anything else moves.
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
              - id: approve
                kind: approval
                role: operator
                prompt: "Checkout traffic is in ${to}: go on?"
                timeout: 300s
                onFailure: rollback
              - id: report
                kind: notify
                message: "Checkout stays in ${to}: ${reason}"
                channels: [chat]
            rollback:
              - id: restore-dns
                kind: drain-dns
                to: ${from}
                timeout: 10s
            """;

    final Lab lab;
    final Topology topology;
    final Coordinator coordinator;
    private final List<Agent> agents = new ArrayList<>();
    private final List<HttpReporter> reporters = new ArrayList<>();

    private ConsoleLab(Lab lab, Coordinator coordinator) {
        this.lab = lab;
        this.topology = lab.topology();
        this.coordinator = coordinator;
    }

    static ConsoleLab up(Path dir, int shards, ConsoleSettings console) throws IOException {
        Lab lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), shards, 0, true));
        try {
            Topology topology = lab.topology();
            StandIns standIns = lab.standIns().orElseThrow();
            Files.writeString(Files.createDirectories(dir.resolve("runbooks")).resolve("gated-evacuation.yaml"), GATED);
            ConfigFile file = new ConfigFile(topology, null,
                    List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", freePort()))),
                    new ZooKeeperConfig(topology.zookeeper().toString(), "console-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), 4000),
                    List.of(user("sre", ApiRole.OPERATOR), user("vic", ApiRole.VIEWER), user("ada", ApiRole.ADMIN)),
                    topology.datacenterNames().stream().map(dc -> new AgentAccount("agent-" + dc, dc, TokenHash.of("agent-token-" + dc))).toList(),
                    "audit.jsonl", Map.of("chat", new NotifyChannel(NotifyChannel.Kind.SLACK, standIns.notifyUrl("chat"), null)),
                    new ConsulConfig(standIns.consulUrl(), null, null), "runbooks", console);
            ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
            CoordinatorConfig config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
            Coordinator coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults(), POLICY);
            ConsoleLab running = new ConsoleLab(lab, coordinator);
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
            for (String dc : topology.datacenterNames()) {
                HttpReporter reporter = new HttpReporter(List.of(URI.create(coordinator.url())), "agent-token-" + dc,
                        Backoff.defaults(), AGENT_INTERVAL);
                running.reporters.add(reporter);
                running.agents.add(new Agent("agent-" + dc, dc, Probers.forDc(topology, dc, Duration.ofMillis(400)), reporter,
                        AGENT_INTERVAL).start());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.health().snapshot().datacenters().stream()
                    .allMatch(d -> d.verdict().name().equals("HEALTHY")));
            // A DC is HEALTHY before every replica's lag is known (an agent's first reports can still say "lag unknown");
            // the overview shows lag, so the lab is ready once every replica has reported one (CI: not within 5 s once).
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.health().snapshot().shards().stream()
                    .flatMap(s -> s.servers().stream()).allMatch(sv -> sv.writable() || sv.lagSeconds() != null));
            return running;
        } catch (RuntimeException | Error e) {
            lab.down();
            throw e;
        }
    }

    String consoleUrl() {
        return coordinator.url() + "/console/";
    }

    private static ApiUser user(String name, ApiRole role) {
        return new ApiUser(name, role, null, null, PasswordHash.of(PASSWORDS.get(name)));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            agents.forEach(Agent::close);
            reporters.forEach(HttpReporter::close);
            coordinator.close();
        } finally {
            lab.down();
        }
    }
}
