package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.StepListener;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Two coordinators in one JVM on a real 2 DC x 2 shard lab with a checkout app per DC: the leader
 * is held right after a step of a failover (one of its own, or one of a shard's switchover) and its
 * ZooKeeper session expires (as in a partition or a long pause); it must stop there, and the other
 * coordinator, elected in its place, must finish or undo the whole failover, edge traffic included.
 * Held the same way, a failover is aborted before and after its point of no return. The servers,
 * HAProxies and PowerDNS are checked, not the coordinators' memory.
 */
class TakeoverLabTest {
    /**
     * Named, not the default: into a DC an earlier test left drained the default is fail-back, whose
     * steps differ, and these tests hold the failover at a step by its name.
     */
    private static final String RUNBOOK = "planned-evacuation";
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

    /** A coordinator's failover side whose switchovers tell {@code hook} of each step. */
    private static FailoverNode node(CoordinatorConfig config, String id, StepListener hook) {
        return node(config, id, hook, step -> { });
    }

    private static FailoverNode node(CoordinatorConfig config, String id, StepListener hook, Consumer<String> afterStep) {
        return FailoverNode.start(config, id, SwitchoverOptions.defaults().withListener(hook), TakeoverLabTest::allHealthy, afterStep);
    }

    private static HealthSnapshot allHealthy() {
        return FailoverNode.allHealthy(topology);
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
        String before = edgeTraffic();
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
        try (FailoverNode a = node(config, "c-" + from, holdAfterStep)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, "c-" + to, StepListener.NONE)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(new FailoverRequest(RUNBOOK, from, to, "takeover test", false, false), "test").id();
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
                System.out.printf("takeover after %s: %s in %d ms after the session loss%n%s", step, done.state(), tookMs,
                        FailoverReport.of(done).text());

                assertThat(tookMs).isLessThan(10_000);
                assertThat(done.shards()).allSatisfy(s -> assertThat(s.finished()).as(s.toString()).isTrue());
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.abandoned " + "coordinator c-" + from + " stopped failover " + id))
                        .noneMatch(e -> e.startsWith("failover.finished"));
                // The record is written before the closing events are published: wait for them.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.events())
                        .anyMatch(e -> e.startsWith("failover.takeover coordinator c-" + to + " takes over failover " + id))
                        .anyMatch(e -> e.startsWith("failover.finished failover " + id)));
                // Every case has one right end, checked on the servers, not only in the record: a FAILED failover fails.
                if (step.equals("promote")) {
                    // Past the fence's catch-up the new primary was already writable: the failover rolls forward.
                    assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
                    assertThat(done.shards()).allMatch(s -> s.state() == ShardProgress.State.SWITCHED);
                } else {
                    // Held, or fenced before the candidate was known to have caught up: no shard switched, so the
                    // takeover keeps each old primary and undoes everything, edge traffic included.
                    assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
                    assertThat(done.shards()).allMatch(s -> s.state() == ShardProgress.State.ROLLED_BACK);
                    assertThat(edgeTraffic()).as("DNS and checkout weights, read from PowerDNS and every HAProxy").isEqualTo(before);
                }
                String primaries = step.equals("promote") ? to : from;
                for (Shard shard : topology.shards()) {
                    assertThat(writable(shard).dc()).as(shard.name()).isEqualTo(primaries);
                    assertConsistent(shard);
                }
            } finally {
                released.countDown();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"precheck", "drain-dns", "drain-lb"})
    void aLeaderLostBeforeAnyShardMovedIsRolledBackWithEdgeTrafficWhereItWas(String step) throws Exception {
        CoordinatorConfig config = config("rollback-" + step + "-" + ProcessHandle.current().pid());
        String from = writable(topology.shards().getFirst()).dc();
        String to = other(from);
        String before = edgeTraffic();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        try (FailoverNode a = node(config, "c-" + from, StepListener.NONE, holdAfter(step, reached, released))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, "c-" + to, StepListener.NONE)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(new FailoverRequest(RUNBOOK, from, to, "takeover rollback test", false, false), "test").id();
                assertThat(reached.await(20, TimeUnit.SECONDS)).as("the failover reached " + step).isTrue();
                // Not vacuous: the drains did move edge traffic.
                if (!step.equals("precheck")) assertThat(edgeTraffic()).isNotEqualTo(before);

                Failover done = loseLeaderAndAwaitTakeover(a, b, id, released);

                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
                assertThat(done.reason()).startsWith("coordinator c-" + from + " was lost after " + step)
                        .endsWith("no shard switched, so coordinator c-" + to + " rolled it back");
                if (step.equals("precheck")) assertThat(done.reason()).contains("before anything changed");
                assertThat(edgeTraffic()).as("DNS and checkout weights, read from PowerDNS and every HAProxy").isEqualTo(before);
                List<String> drains = List.of("drain-dns", "drain-lb");
                for (String drain : drains.subList(0, drains.indexOf(step) + 1)) {
                    assertThat(done.step(drain).state()).as(drain).isEqualTo(TimelineStep.State.ROLLED_BACK);
                    assertThat(done.step(drain).changes()).as(drain)
                            .anyMatch(c -> c.startsWith("rolled back by the takeover of coordinator c-" + to + ": "));
                }
                assertThat(done.step("switch-shards").state()).isEqualTo(TimelineStep.State.SKIPPED);
                assertThat(done.shards()).allMatch(s -> s.state() == ShardProgress.State.PENDING);
                for (Shard shard : topology.shards()) {
                    assertThat(writable(shard).dc()).isEqualTo(from);
                    assertConsistent(shard);
                }
            } finally {
                released.countDown();
            }
        }
    }

    @Test
    void aLeaderLostAfterAShardSwitchedIsRolledForwardThroughEdgeTrafficShardsAndVerification() throws Exception {
        CoordinatorConfig config = config("rollforward-" + ProcessHandle.current().pid());
        String from = writable(topology.shards().getFirst()).dc();
        String to = other(from);
        String first = topology.shards().get(0).name();
        String second = topology.shards().get(1).name();
        CountDownLatch firstSwitched = new CountDownLatch(1);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        // The first shard switches through its last step; the second is held with its writes held in HAProxy.
        StepListener hook = (shard, done) -> {
            if (shard.equals(first) && done.equals("semi-sync")) firstSwitched.countDown();
            if (shard.equals(second) && done.equals("hold")) {
                reached.countDown();
                awaitQuietly(released);
            }
        };
        try (FailoverNode a = node(config, "c-" + from, hook)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, "c-" + to, StepListener.NONE)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(new FailoverRequest(RUNBOOK, from, to, "takeover roll-forward test", false, false), "test").id();
                assertThat(reached.await(20, TimeUnit.SECONDS) && firstSwitched.await(20, TimeUnit.SECONDS))
                        .as(first + " switched and " + second + " held").isTrue();
                assertThat(writable(topology.shards().get(0)).dc()).isEqualTo(to);
                assertThat(writable(topology.shards().get(1)).dc()).isEqualTo(from);

                Failover done = loseLeaderAndAwaitTakeover(a, b, id, released);
                System.out.println(FailoverReport.of(done).text());

                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
                assertThat(done.shards()).allMatch(s -> s.state() == ShardProgress.State.SWITCHED);
                for (Shard shard : topology.shards()) {
                    assertThat(writable(shard).dc()).as(shard.name()).isEqualTo(to);
                    assertConsistent(shard);
                }
                TrafficPlan planned = done.plan().traffic();
                assertThat(served()).isEqualTo(planned.dns().after().ip()).isEqualTo(topology.datacenter(to).orElseThrow().address());
                Map<String, Map<String, Integer>> wanted = new TreeMap<>();
                planned.weights().weights().forEach(w -> wanted.computeIfAbsent(w.haproxy(), k -> new TreeMap<>()).put(w.server(), w.after()));
                assertThat(new CheckoutDrain(topology).weights()).isEqualTo(wanted);
                assertThat(done.traffic().verifications()).hasSize(topology.shards().size()).allMatch(v -> v.ok() && v.dc().equals(to));
                // The lost leader's steps as it ran them; the takeover's say so.
                for (String step : List.of("precheck", "drain-dns", "drain-lb", "switch-shards", "verify", "report")) {
                    TimelineStep t = done.step(step);
                    assertThat(t.state()).as(step).isEqualTo(TimelineStep.State.DONE);
                    boolean byTakeover = !t.changes().isEmpty() && t.changes().getFirst().equals("run by the takeover of coordinator c-" + to);
                    assertThat(byTakeover).as(step + ": " + t.changes()).isEqualTo(List.of("switch-shards", "verify", "report").contains(step));
                }
                assertThat(done.shards().get(1).steps()).extracting(StepRecord::name).contains("hold", "reconcile discover", "promote");
            } finally {
                released.countDown();
            }
        }
    }

    @Test
    void anAbortBeforeSwitchShardsStopsThereAndPutsEdgeTrafficBack() throws Exception {
        CoordinatorConfig config = config("abort-" + ProcessHandle.current().pid());
        String from = writable(topology.shards().getFirst()).dc();
        String to = other(from);
        String before = edgeTraffic();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        try (FailoverNode a = node(config, "c-" + from, StepListener.NONE, holdAfter("drain-dns", reached, released))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, "c-" + to, StepListener.NONE)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(new FailoverRequest(RUNBOOK, from, to, "abort test", false, false), "test").id();
                assertThat(reached.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(edgeTraffic()).isNotEqualTo(before);

                assertThatThrownBy(() -> b.failovers().abort(id, "alice", "wrong DC"))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> {
                            assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.NOT_LEADER);
                            assertThat(r.leader()).contains(config.coordinator("c-" + from).orElseThrow().url());
                        });
                Failover done;
                // Not the common pool: on 2 cores it has one thread, which dnsjava needs to complete its queries.
                try (ExecutorService caller = Executors.newVirtualThreadPerTaskExecutor()) {
                    Future<Failover> aborted = caller.submit(() -> a.failovers().abort(id, "alice", "wrong DC"));
                    await().atMost(Duration.ofSeconds(5)).until(() -> a.events().stream().anyMatch(e -> e.startsWith("failover.abort ")));
                    released.countDown();
                    done = aborted.get(15, TimeUnit.SECONDS);
                }

                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
                assertThat(done.reason()).isEqualTo("aborted by alice: wrong DC");
                assertThat(done.timeline()).extracting(t -> t.name() + "=" + t.state()).containsExactly("precheck=DONE",
                        "drain-dns=ROLLED_BACK", "drain-lb=SKIPPED", "switch-shards=SKIPPED", "verify=SKIPPED", "report=SKIPPED");
                assertThat(done.step("drain-dns").changes()).anyMatch(c -> c.startsWith("rolled back on abort: "));
                assertThat(edgeTraffic()).isEqualTo(before);
                assertThat(done.shards()).allMatch(s -> s.state() == ShardProgress.State.PENDING);
                for (Shard shard : topology.shards()) assertThat(writable(shard).dc()).isEqualTo(from);
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.finished failover " + id + " ROLLED_BACK: aborted by alice"));

                assertThatThrownBy(() -> a.failovers().abort(id, "alice", ""))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.CONFLICT))
                        .hasMessageContaining("is not running: it ROLLED_BACK");
            } finally {
                released.countDown();
            }
        }
    }

    @Test
    void anAbortOnceSwitchShardsStartedIsRefusedAndTheFailoverFinishes() throws Exception {
        CoordinatorConfig config = config("abort-late-" + ProcessHandle.current().pid());
        String from = writable(topology.shards().getFirst()).dc();
        String to = other(from);
        CountDownLatch reached = new CountDownLatch(topology.shards().size());
        CountDownLatch released = new CountDownLatch(1);
        StepListener holdAfterPrecheck = (shard, done) -> {
            if (!done.equals("precheck")) return;
            reached.countDown();
            awaitQuietly(released);
        };
        try (FailoverNode a = node(config, "c-" + from, holdAfterPrecheck)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(new FailoverRequest(RUNBOOK, from, to, "late abort test", false, false), "test").id();
            assertThat(reached.await(20, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> a.failovers().abort(id, "alice", "too late"))
                    .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.CONFLICT))
                    .hasMessageContaining("past its point of no return: switch-shards has started");
            released.countDown();
            assertThat(a.failovers().awaitIdle(Duration.ofSeconds(30))).isTrue();
            Failover done = a.failovers().get(id);
            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
            for (Shard shard : topology.shards()) {
                assertThat(writable(shard).dc()).isEqualTo(to);
                assertConsistent(shard);
            }
        } finally {
            released.countDown();
        }
    }

    /** Expires the leader's session as a partition would, lets it go on (it must stop), waits for the other to end the failover. */
    private static Failover loseLeaderAndAwaitTakeover(FailoverNode a, FailoverNode b, String id, CountDownLatch released) {
        long lost = System.nanoTime();
        try {
            a.session().client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
        } catch (Exception e) {
            throw new IllegalStateException("cannot expire the leader's session", e);
        }
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).until(() -> !a.leadership().isLeader());
        released.countDown();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> b.failovers().get(id).state() != Failover.State.RUNNING
                        && b.failovers().get(id).shards().stream().allMatch(s -> s.finished() || s.state() == ShardProgress.State.PENDING));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
        Failover done = b.failovers().get(id);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.events())
                .anyMatch(e -> e.startsWith("failover.takeover.finished failover " + id)));
        System.out.printf("%s in %d ms after the session loss; %s%n", done.state(), tookMs, b.events().stream()
                .filter(e -> e.startsWith("failover.takeover.finished")).findFirst().orElseThrow());
        assertThat(tookMs).isLessThan(10_000);
        assertThat(a.events()).anyMatch(e -> e.startsWith("failover.abandoned coordinator " + a.leadership().id() + " stopped failover " + id))
                .noneMatch(e -> e.startsWith("failover.finished"));
        return done;
    }

    private static Consumer<String> holdAfter(String step, CountDownLatch reached, CountDownLatch released) {
        return done -> {
            if (!done.equals(step)) return;
            reached.countDown();
            awaitQuietly(released);
        };
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String other(String dc) {
        return topology.datacenterNames().stream().filter(d -> !d.equals(dc)).findFirst().orElseThrow();
    }

    /** What the DNS server answers for the checkout name, over DNS. */
    private static String served() {
        return new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
    }

    /** Where checkouts go: the served record and every HAProxy's checkout weights. */
    private static String edgeTraffic() {
        return "dns " + served() + ", weights " + new CheckoutDrain(topology).weights();
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
