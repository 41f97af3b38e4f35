package dev.baton.cli;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.coordinator.Coordinator;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A site's runbooks directory from the command line: {@code baton runbook list --api} shows a real
 * coordinator's catalog (on Curator's TestingServer), and {@code baton coordinator} refuses to start on a
 * bad one. The topology's servers do not exist: neither asks them anything.
 */
class SiteRunbooksCommandTest {
    private static final String SITE = "name: drill-notice\nsteps:\n  - {id: tell, kind: notify, message: \"drill from ${from} to ${to}\"}\n";

    @Test
    void listsTheCoordinatorsShippedAndSiteRunbooksWithTheirHashes(@TempDir Path dir) throws Exception {
        Path site = Files.writeString(Files.createDirectories(dir.resolve("runbooks")).resolve("drill-notice.yaml"), SITE);
        Path tokens = Files.writeString(dir.resolve("tokens"), "viewer=viewer-token\nsre=sre-token\n");
        try (TestingServer zookeeper = new TestingServer(true)) {
            Path config = config(dir, zookeeper.getConnectString(), "runbooks");
            try (Coordinator coordinator = Coordinator.start(ConfigLoader.load(config), "c-east", SwitchoverOptions.defaults())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());

                MainTest.Run r = MainTest.run("runbook", "list", "--api", coordinator.url(), "--token-file", tokens.toString());

                assertThat(r.code()).as(r.err()).isZero();
                List<String> lines = r.out().lines().toList();
                assertThat(lines.getFirst()).isEqualTo("runbooks of " + coordinator.url() + ":");
                assertThat(lines.subList(1, lines.size())).extracting(l -> l.split("\\s+")[0] + " " + l.split("\\s+")[1])
                        .containsExactly("planned-evacuation shipped", "emergency-failover shipped", "shard-switchover shipped",
                                "fail-back shipped", "drill-notice site");
                String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(site)));
                assertThat(lines.getLast()).contains(" sha256:" + sha256);

                MainTest.Run wrongUser = MainTest.run("runbook", "list", "--api", coordinator.url(), "--token-file", tokens.toString(),
                        "--user", "sre");
                assertThat(wrongUser.code()).isEqualTo(1);
                assertThat(wrongUser.err()).startsWith("baton: runbook list refused by " + coordinator.url() + " (401 unauthenticated)");
            }
        }
    }

    @Test
    void theCoordinatorCommandRefusesToStartAndPrintsEveryProblemWithItsPosition(@TempDir Path dir) throws Exception {
        Path runbooks = Files.createDirectories(dir.resolve("runbooks"));
        Path misnamed = Files.writeString(runbooks.resolve("drill.yaml"), SITE);
        Path broken = Files.writeString(runbooks.resolve("evacuate.yaml"), "name: evacuate\nsteps:\n  - {id: a, kind: teleport}\n");
        // Never reached: the runbooks are read before anything starts.
        Path config = config(dir, "127.0.0.1:1", "runbooks");

        // A process of its own: the coordinator command switches its JVM's logging to JSON.
        Process coordinator = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "coordinator", "--config", config.toString())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        try {
            assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).as("exits on its own").isTrue();
            assertThat(coordinator.exitValue()).isEqualTo(2);
            assertThat(Files.readAllLines(dir.resolve("err"))).containsSequence(
                    "baton: the runbooks of " + runbooks + " cannot be used (2 problem(s)):",
                    misnamed + ":1:7: name: found name 'drill-notice' in file drill.yaml, expected name 'drill': a runbook is known by its"
                            + " file's name; rename the file or change name:");
            assertThat(Files.readString(dir.resolve("err"))).contains(broken + ":3:").contains("'teleport'");
        } finally {
            coordinator.destroyForcibly().waitFor();
        }
    }

    /** coordinator.yaml in {@code dir}: coordinator c-east on a free port, a viewer, the runbooks directory named. */
    private static Path config(Path dir, String zookeeper, String runbooks) throws Exception {
        ConfigFile file = new ConfigFile(topology(), null, List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", freePort()))),
                new ZooKeeperConfig(zookeeper, "site-runbooks", 4000),
                List.of(new ApiUser("viewer", ApiRole.VIEWER, TokenHash.of("viewer-token"))), List.of(), "audit.jsonl", null, null, runbooks);
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        return dir.resolve("coordinator.yaml");
    }

    /** One shard in two DCs, every endpoint where nothing listens. */
    private static Topology topology() {
        Endpoint none = new Endpoint("127.0.0.1", 1);
        List<Datacenter> dcs = List.of("east", "west").stream().map(dc -> new Datacenter(dc, "127.0.0.1", none, none,
                List.of(new ShardFrontends("s1", none, "s1_writer", "primary", none, "s1_reader")), new CheckoutFrontend(none, "b_checkout")))
                .toList();
        Shard s1 = new Shard("s1", 0, List.of(new DbServer("s1-east", "s1", "east", none, Role.PRIMARY),
                new DbServer("s1-west", "s1", "west", none, Role.REPLICA)));
        return new Topology("t", dcs, List.of(s1), new Dns("example.test.", "checkout.example.test.", 1, none, "http://127.0.0.1:1", "k"),
                none, new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
