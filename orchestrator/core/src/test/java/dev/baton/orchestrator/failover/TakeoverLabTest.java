package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.StepListener;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two coordinators in one JVM on a real 2 DC x 2 shard lab: the leader is held right after a step
 * of a failover and its ZooKeeper session expires (as in a partition or a long pause); it must stop
 * there, and the other coordinator, elected in its place, must finish or undo the failover. The
 * servers and HAProxies are checked, not the coordinators' memory.
 */
class TakeoverLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;

    @BeforeAll
    static void start() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.down();
    }

    /** One coordinator's failover side, built as the Coordinator builds it, with its session at hand to expire. */
    private record Node(ZooKeeperSession session, Leadership leadership, FailoverService failovers, List<String> events)
            implements AutoCloseable {

        static Node start(CoordinatorConfig config, String id, StepListener hook) {
            ZooKeeperSession session = new ZooKeeperSession(config.zookeeper()).start(10_000);
            Leadership leadership = new Leadership(session, id).start();
            EventHub hub = new EventHub();
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            hub.subscribe(e -> seen.add(e.type() + " " + e.message()));
            FailoverService failovers = new FailoverService(config, id, leadership, new FailoverLock(session), new FailoverStore(session),
                    hub, new SimpleMeterRegistry(), SwitchoverOptions.defaults().withListener(hook), TakeoverLabTest::allHealthy);
            return new Node(session, leadership, failovers, seen);
        }

        @Override
        public void close() {
            try {
                leadership.close();
            } finally {
                session.close();
            }
        }
    }

    private static HealthSnapshot allHealthy() {
        return new HealthSnapshot(Instant.now(), topology.datacenterNames().stream()
                .map(dc -> new DcHealth(dc, Verdict.HEALTHY, List.of(), Instant.EPOCH)).toList(), List.of());
    }

    private static CoordinatorConfig config(String namespace) throws Exception {
        List<CoordinatorPeer> peers = new ArrayList<>();
        for (String dc : topology.datacenterNames()) {
            try (ServerSocket s = new ServerSocket(0)) {
                peers.add(new CoordinatorPeer("c-" + dc, dc, new Endpoint("127.0.0.1", s.getLocalPort())));
            }
        }
        ConfigFile file = new ConfigFile(topology, null, peers, new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000),
                List.of(), List.of(), "audit-" + namespace + ".jsonl");
        Path path = dir.resolve(namespace + ".yaml");
        ConfigLoader.write(file, path);
        return ConfigLoader.load(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hold", "fence", "promote"})
    void aLeaderThatLosesItsSessionAfterAStepStopsThereAndTheNextLeaderFinishesTheFailover(String step) throws Exception {
        CoordinatorConfig config = config("takeover-" + step + "-" + ProcessHandle.current().pid());
        String from = writable(topology.shards().getFirst()).dc();
        String to = topology.datacenterNames().stream().filter(dc -> !dc.equals(from)).findFirst().orElseThrow();
        CountDownLatch reached = new CountDownLatch(topology.shards().size());
        CountDownLatch released = new CountDownLatch(1);
        StepListener holdAfterStep = (shard, done) -> {
            if (!done.equals(step)) return;
            reached.countDown();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Node a = Node.start(config, "c-" + from, holdAfterStep)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (Node b = Node.start(config, "c-" + to, StepListener.NONE)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(new FailoverRequest(null, from, to, "takeover test", false, false), "test").id();
                assertThat(reached.await(20, TimeUnit.SECONDS)).as("every shard reached " + step).isTrue();

                long lost = System.nanoTime();
                a.session().client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
                await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).until(() -> !a.leadership().isLeader());
                released.countDown();

                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                        // The header and each shard are separate znodes: a read between their writes can see one new, one old.
                        .until(() -> b.failovers().get(id).state() != Failover.State.RUNNING
                                && b.failovers().get(id).shards().stream().allMatch(ShardProgress::finished));
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
                Failover done = b.failovers().get(id);
                System.out.printf("takeover after %s: %s in %d ms after the session loss: %s%n", step, done.state(), tookMs,
                        done.shards().stream().map(s -> s.shard() + " " + s.state()).toList());

                assertThat(tookMs).isLessThan(10_000);
                assertThat(done.shards()).allSatisfy(s -> assertThat(s.finished()).as(s.toString()).isTrue());
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.abandoned " + "coordinator c-" + from + " stopped failover " + id))
                        .noneMatch(e -> e.startsWith("failover.finished"));
                // The record is written before the closing events are published: wait for them.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.events())
                        .anyMatch(e -> e.startsWith("failover.takeover coordinator c-" + to + " takes over failover " + id))
                        .anyMatch(e -> e.startsWith("failover.finished failover " + id)));
                // Past the fence's catch-up the new primary was already writable: the failover rolls forward.
                if (step.equals("promote")) assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
                for (Shard shard : topology.shards()) assertConsistent(shard);
            } finally {
                released.countDown();
            }
        }
    }

    /** Exactly one writable server; every DC's writer at it with its normal maxconn; every other server replicating from it. */
    private static void assertConsistent(Shard shard) {
        DbServer primary = writable(shard);
        for (Datacenter dc : topology.datacenters()) {
            ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow();
            try (HaproxyRuntime runtime = new HaproxyRuntime(dc.haproxyRuntime())) {
                ServerState w = runtime.serverState(f.writerBackend(), f.writerServer());
                assertThat(w.address() + ":" + w.port()).as("writer of " + shard.name() + " in " + dc.name())
                        .isEqualTo(primary.endpoint().host() + ":" + primary.endpoint().port());
                assertThat(w.maxconn()).as("writer maxconn of " + shard.name() + " in " + dc.name()).isGreaterThan(1);
            }
        }
        for (DbServer s : shard.servers()) {
            if (s.equals(primary)) continue;
            try (MariaDbServer server = new MariaDbServer(s, topology.credentials())) {
                ServerStatus.Up up = (ServerStatus.Up) server.status();
                assertThat(up.replication()).as(s.id() + " replicates").isPresent();
                assertThat(up.replication().get().replicatesFrom(primary.endpoint())).as(s.id() + " replicates from " + primary.id()).isTrue();
            }
        }
    }

    private static DbServer writable(Shard shard) {
        List<DbServer> writable = new ArrayList<>();
        for (DbServer s : shard.servers()) {
            try (MariaDbServer server = new MariaDbServer(s, topology.credentials())) {
                if (server.status() instanceof ServerStatus.Up up && !up.readOnly()) writable.add(s);
            }
        }
        assertThat(writable).as("writable servers of shard " + shard.name()).hasSize(1);
        return writable.getFirst();
    }
}
