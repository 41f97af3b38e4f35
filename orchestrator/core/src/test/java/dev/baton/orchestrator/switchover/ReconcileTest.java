package dev.baton.orchestrator.switchover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator dies (halts, as kill -9) right after each step of a switchover, in a child JVM,
 * while a client keeps writing through the writer frontends; then {@link SwitchoverEngine#reconcile}
 * must leave exactly one writable primary, every writer on it, the other server replicating from
 * it, and every acknowledged write on it. Checked on the servers and HAProxies themselves.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReconcileTest {
    private static final Set<String> ROLLS_BACK = Set.of("hold", "drain", "fence");

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Sql sql;
    static SwitchoverEngine engine;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        topology = lab.topology();
        sql = new Sql(topology.credentials());
        engine = new SwitchoverEngine(topology, SwitchoverOptions.defaults());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Order(1)
    @ParameterizedTest
    @ValueSource(strings = {"hold", "drain", "fence", "catch-up", "promote", "release", "repoint"})
    void leaderKilledAfterAStepIsReconciled(String step) throws Exception {
        Shard shard = topology.shard("s1").orElseThrow();
        DbServer primary = LiveShard.discover(shard, topology.credentials()).primary().server();
        DbServer candidate = shard.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        String target = candidate.dc();
        SwitchoverResult result;
        long reconcileNanos;
        RetryingWriter client = new RetryingWriter(sql, writers("s1"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > 10);
            haltAfter(step, "s1", target);
            assertLeftBroken(step, "s1", primary, candidate);

            long start = System.nanoTime();
            result = engine.reconcile("s1", target, Optional.of(step));
            reconcileNanos = System.nanoTime() - start;
            int before = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > before + 10);
        } finally {
            client.close();
        }
        DbServer keep = ROLLS_BACK.contains(step) ? primary : candidate;
        DbServer other = keep.equals(primary) ? candidate : primary;
        System.out.printf("FIGURES reconcile after '%s': %.1f ms (%s), writes acknowledged %d, failed attempts %d; %s%n", step,
                reconcileNanos / 1e6, result.steps(), client.acknowledgedCount(), client.failedAttempts(), result.reason());

        assertThat(result.outcome()).as(result.reason())
                .isEqualTo(ROLLS_BACK.contains(step) ? Outcome.ROLLED_BACK : Outcome.SWITCHED);
        assertThat(result.reason()).doesNotContain("problems");
        assertThat(reconcileNanos).as("reconcile wall time").isLessThan(TimeUnit.SECONDS.toNanos(2));
        assertConverged("s1", keep, other, client);

        SwitchoverResult again = engine.reconcile("s1", target, Optional.of(step));
        assertThat(again.outcome()).isEqualTo(result.outcome());
        assertThat(again.reason()).isEqualTo("reconciled after last step '" + step + "': nothing to repair; primary " + keep.id());
        assertThat(again.writePauseMs()).isZero();
    }

    /** The old primary dies too: the caught-up candidate takes over; back, the old primary becomes its replica. */
    @Order(2)
    @Test
    void oldPrimaryKilledAfterTheFenceHandsTheShardToTheCandidate() throws Exception {
        DeadAfterFence run = deadAfterFence(true);
        DbServer primary = run.primary();
        DbServer candidate = run.candidate();
        SwitchoverResult result = run.result();
        SwitchoverResult back = run.back();
        RetryingWriter client = run.client();
        System.out.printf("FIGURES reconcile with the old primary dead: %.1f ms; %s; once back: %.1f ms; %s%n",
                result.wallMs(), result.reason(), back.wallMs(), back.reason());
        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SWITCHED);
        assertThat(result.reason()).contains(primary.id() + " is unreachable");
        assertThat(result.wallMs()).isLessThan(2000);
        assertThat(back.outcome()).isEqualTo(Outcome.SWITCHED);
        assertThat(back.reason()).contains(primary.id() + " replicates from " + candidate.id()).doesNotContain("problems");
        assertConverged("s1", candidate, primary, client);
    }

    /** The candidate dies after the fence: the old primary takes writes again; back, the candidate replicates again. */
    @Order(2)
    @Test
    void candidateKilledAfterTheFenceGivesTheShardBack() throws Exception {
        DeadAfterFence run = deadAfterFence(false);
        DbServer primary = run.primary();
        DbServer candidate = run.candidate();
        SwitchoverResult result = run.result();
        SwitchoverResult back = run.back();
        RetryingWriter client = run.client();
        System.out.printf("FIGURES reconcile with the candidate dead: %.1f ms; %s; once back: %s%n", result.wallMs(),
                result.reason(), back.reason());
        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.ROLLED_BACK);
        assertThat(result.reason()).contains(candidate.id() + " is unreachable");
        assertThat(result.wallMs()).isLessThan(2000);
        assertThat(back.outcome()).isEqualTo(Outcome.ROLLED_BACK);
        assertThat(back.reason()).contains("semi-sync master on " + primary.id()).doesNotContain("problems");
        assertConverged("s1", primary, candidate, client);
    }

    /**
     * The old primary dies before it was fenced: it may still take writes where the reconciler cannot
     * see it, so the candidate is not promoted. Once it is back (read-only, as a restarted server is), it
     * gets the shard back.
     */
    @Order(2)
    @Test
    void unfencedOldPrimaryUnreachableIsRefusedUntilItIsBack() throws Exception {
        Shard shard = topology.shard("s1").orElseThrow();
        DbServer primary = LiveShard.discover(shard, topology.credentials()).primary().server();
        DbServer candidate = shard.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        SwitchoverResult refused;
        SwitchoverResult back;
        RetryingWriter client = new RetryingWriter(sql, writers("s1"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > 10);
            haltAfter("drain", "s1", candidate.dc());
            lab.kill(primary.id());
            try {
                refused = engine.reconcile("s1", candidate.dc(), Optional.of("drain"));
                assertThat(readOnly(candidate)).as("candidate after the refusal").isTrue();
            } finally {
                lab.start(primary.id());
            }
            back = engine.reconcile("s1", candidate.dc(), Optional.of("drain"));
            int before = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > before + 10);
        } finally {
            client.close();
        }
        System.out.printf("FIGURES reconcile refused while the unfenced primary is unreachable: %s; once back: %s%n",
                refused.reason(), back.reason());
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.reason()).contains("not known to be fenced", primary.id(), candidate.id());
        assertThat(back.outcome()).as(back.reason()).isEqualTo(Outcome.ROLLED_BACK);
        assertConverged("s1", primary, candidate, client);
    }

    /**
     * A coordinator that lost leadership abandons its switchovers: nothing is rolled back, the shards
     * stay as they stood (fenced, writes held); the new leader's reconcileAll gives them back.
     */
    @Order(2)
    @Test
    void abandonedSwitchoversAreLeftAsTheyStoodForReconcile() throws Exception {
        Shard s1 = topology.shard("s1").orElseThrow();
        DbServer primary = LiveShard.discover(s1, topology.credentials()).primary().server();
        DbServer candidate = s1.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        String target = candidate.dc();
        Map<String, DbServer> primaries = new TreeMap<>();
        for (Shard shard : topology.shards()) {
            DbServer p = LiveShard.discover(shard, topology.credentials()).primary().server();
            if (!p.dc().equals(target)) primaries.put(shard.name(), p);
        }
        SwitchoverEngine abandoning = new SwitchoverEngine(topology, SwitchoverOptions.defaults().withListener((s, step) -> {
            if (step.equals("fence")) throw new SwitchoverAbandoned("leadership lost");
        }));
        List<SwitchoverResult> results;
        RetryingWriter client = new RetryingWriter(sql, writers("s1"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > 10);
            assertThatThrownBy(() -> abandoning.switchoverAll(target))
                    .isInstanceOf(SwitchoverAbandoned.class).hasMessage("leadership lost");
            for (DbServer p : primaries.values()) {
                assertThat(readOnly(p)).as(p.id() + " left fenced").isTrue();
                assertThat(readOnly(topology.shard(p.shard()).orElseThrow().serverIn(target).orElseThrow())).isTrue();
                assertThat(writerStates(p.shard())).as("writers of " + p.shard() + " left held").allMatch(s -> s.maxconn() == 1);
            }
            Map<String, Optional<String>> lastSteps = new HashMap<>();
            primaries.keySet().forEach(shard -> lastSteps.put(shard, Optional.of("fence")));
            results = engine.reconcileAll(target, lastSteps);
            int before = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > before + 10);
        } finally {
            client.close();
        }
        System.out.printf("FIGURES reconcileAll of %d abandoned shards: %s%n", results.size(),
                results.stream().map(r -> r.shard() + " " + r.wallMs() + " ms").toList());
        assertThat(results).extracting(SwitchoverResult::shard).containsExactlyElementsOf(primaries.keySet());
        assertThat(results).allSatisfy(r -> assertThat(r.outcome()).as(r.reason()).isEqualTo(Outcome.ROLLED_BACK));
        for (DbServer p : primaries.values()) {
            assertConverged(p.shard(), p, topology.shard(p.shard()).orElseThrow().serverIn(target).orElseThrow());
        }
        assertAcknowledgedOn(primary, candidate, client);
    }

    @Order(3)
    @Test
    void reconcileAllOnHealthyShardsRepairsNothing() {
        List<SwitchoverResult> results = engine.reconcileAll("west", Map.of("s1", Optional.empty(), "s2", Optional.of("precheck")));
        assertThat(results).extracting(SwitchoverResult::shard).containsExactly("s1", "s2");
        assertThat(results).allSatisfy(r -> assertThat(r.reason()).contains("nothing to repair"));
    }

    @Order(3)
    @Test
    void unknownShardOrDatacenterIsRefusedByName() {
        assertThatThrownBy(() -> engine.reconcile("s9", "west", Optional.empty()))
                .isInstanceOf(SwitchoverRefused.class).hasMessageContaining("unknown shard 's9'");
        assertThatThrownBy(() -> engine.reconcile("s1", "north", Optional.empty()))
                .isInstanceOf(SwitchoverRefused.class).hasMessageContaining("unknown DC 'north'");
        assertThatThrownBy(() -> engine.reconcileAll("west", Map.of("s1", Optional.empty(), "s9", Optional.empty())))
                .isInstanceOf(SwitchoverRefused.class).hasMessageContaining("unknown shard 's9'");
    }

    /** A replica opened for writes by hand but never written: fencing both loses nothing, the writers' target keeps the shard. */
    @Order(5)
    @Test
    void twoWritableWithoutDivergenceKeepTheOneHoldingEverything() throws Exception {
        Shard shard = topology.shard("s2").orElseThrow();
        DbServer primary = LiveShard.discover(shard, topology.credentials()).primary().server();
        DbServer replica = shard.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        SwitchoverResult result;
        RetryingWriter client = new RetryingWriter(sql, writers("s2"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > 10);
            sql.adminExecute(replica.endpoint(), "STOP SLAVE", "SET GLOBAL read_only = OFF");
            result = engine.reconcile("s2", replica.dc(), Optional.empty());
            int before = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > before + 10);
        } finally {
            client.close();
        }
        System.out.printf("FIGURES reconcile of two writable: %.1f ms; %s%n", result.wallMs(), result.reason());
        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.ROLLED_BACK);
        assertThat(result.reason()).contains("fenced").doesNotContain("problems");
        assertConverged("s2", primary, replica, client);
    }

    /** Both took writes the other lacks: no choice is safe, both stay read-only, the result says so and names them. */
    @Order(6)
    @Test
    void divergedWritablePrimariesAreBothFencedAndRefused() throws Exception {
        Shard shard = topology.shard("s2").orElseThrow();
        DbServer primary = LiveShard.discover(shard, topology.credentials()).primary().server();
        DbServer replica = shard.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        sql.adminExecute(replica.endpoint(), "STOP SLAVE", "SET GLOBAL read_only = OFF");
        sql.appInsertOrder(replica.endpoint(), "diverged-on-replica");
        sql.appInsertOrder(primary.endpoint(), "diverged-on-primary");

        SwitchoverResult result = engine.reconcile("s2", replica.dc(), Optional.of("promote"));

        assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(result.reason()).contains("diverged", primary.id(), replica.id(), "operator");
        assertThat(sql.adminQuery(primary.endpoint(), "SELECT @@read_only")).isEqualTo("1");
        assertThat(sql.adminQuery(replica.endpoint(), "SELECT @@read_only")).isEqualTo("1");
        // Asked again (now nothing is writable), it still sees the divergence, refuses and changes nothing.
        SwitchoverResult again = engine.reconcile("s2", replica.dc(), Optional.of("promote"));
        assertThat(again.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(again.reason()).contains("diverged", primary.id(), replica.id());
        assertThat(sql.adminQuery(primary.endpoint(), "SELECT @@read_only")).isEqualTo("1");
        assertThat(sql.adminQuery(replica.endpoint(), "SELECT @@read_only")).isEqualTo("1");
    }

    /** What {@link #deadAfterFence} saw; {@code client} is closed, its acknowledged writes kept for the audit. */
    private record DeadAfterFence(DbServer primary, DbServer candidate, SwitchoverResult result, SwitchoverResult back,
                                  RetryingWriter client) {
    }

    /**
     * Under a writing client, halts a switchover of s1 after its fence, kills the old primary (or the
     * candidate), reconciles and waits for writes to flow again, restarts the dead server and reconciles once more.
     */
    private static DeadAfterFence deadAfterFence(boolean killPrimary) throws Exception {
        Shard shard = topology.shard("s1").orElseThrow();
        DbServer primary = LiveShard.discover(shard, topology.credentials()).primary().server();
        DbServer candidate = shard.servers().stream().filter(s -> !s.equals(primary)).findFirst().orElseThrow();
        DbServer dead = killPrimary ? primary : candidate;
        SwitchoverResult result;
        SwitchoverResult back;
        RetryingWriter client = new RetryingWriter(sql, writers("s1"));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > 10);
            haltAfter("fence", "s1", candidate.dc());
            lab.kill(dead.id());
            try {
                result = engine.reconcile("s1", candidate.dc(), Optional.of("fence"));
                int before = client.acknowledgedCount();
                await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > before + 10);
            } finally {
                lab.start(dead.id());
            }
            back = engine.reconcile("s1", candidate.dc(), Optional.of("fence"));
        } finally {
            client.close();
        }
        return new DeadAfterFence(primary, candidate, result, back, client);
    }

    @Order(4)
    @Test
    void aBatchKilledAfterAFenceKeepsTheFencedShardsWritesHeldByItsGuard() throws Exception {
        Map<String, DbServer> primaries = new LinkedHashMap<>();
        for (String name : List.of("s1", "s2")) {
            primaries.put(name, LiveShard.discover(topology.shard(name).orElseThrow(), topology.credentials()).primary().server());
        }
        String from = primaries.get("s1").dc();
        for (String name : primaries.keySet()) {
            if (!primaries.get(name).dc().equals(from)) {
                engine.switchover(name, from);
                primaries.put(name, LiveShard.discover(topology.shard(name).orElseThrow(), topology.credentials()).primary().server());
            }
        }
        String target = topology.shard("s1").orElseThrow().servers().stream().map(DbServer::dc).filter(dc -> !dc.equals(from))
                .findFirst().orElseThrow();

        haltAfter("fence", "s1,s2", target);

        // s1's primary is fenced and its holders died with the batch: only the batch's guard keeps a new connection
        // queued in HAProxy, instead of letting it log in to a read-only server.
        assertThat(readOnly(primaries.get("s1"))).isTrue();
        for (Endpoint writer : writers("s1")) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(writer.host(), writer.port()), 2000);
                client.setSoTimeout(1000);
                assertThatThrownBy(() -> client.getInputStream().read()).as("greeting through %s", writer)
                        .isInstanceOf(SocketTimeoutException.class);
            }
        }

        List<SwitchoverResult> results = engine.reconcileAll(target, Map.of("s1", Optional.of("fence"), "s2", Optional.empty()));
        assertThat(results).extracting(SwitchoverResult::outcome).doesNotContain(Outcome.REFUSED);
        for (String name : List.of("s1", "s2")) {
            assertThat(LiveShard.discover(topology.shard(name).orElseThrow(), topology.credentials()).primary()).isNotNull();
            assertThat(writerStates(name)).allMatch(s -> s.maxconn() == 1000);
        }
    }

    private static List<Endpoint> writers(String shard) {
        return topology.datacenters().stream().map(dc -> dc.frontendsOf(shard).orElseThrow().writer()).toList();
    }

    /** Runs the switchover in a child JVM that halts right after {@code step}. */
    private static void haltAfter(String step, String shard, String target) throws Exception {
        Path log = dir.resolve("halt-after-" + step + ".log");
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), HaltingSwitchover.class.getName(), lab.topologyFile().toString(), shard,
                target, step).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child switchover finished").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).as("child halted after '%s': %s", step, Files.readString(log)).isEqualTo(HaltingSwitchover.HALTED);
    }

    /** The dead switchover really left something to repair at each step (or this test could not fail). */
    private static void assertLeftBroken(String step, String shard, DbServer primary, DbServer candidate) throws SQLException {
        switch (step) {
            case "hold", "drain" -> assertThat(writerStates(shard)).anyMatch(s -> s.maxconn() == 1);
            case "fence", "catch-up" -> {
                assertThat(readOnly(primary)).isTrue();
                assertThat(readOnly(candidate)).isTrue();
            }
            case "promote" -> {
                assertThat(readOnly(candidate)).isFalse();
                assertThat(writerStates(shard)).allMatch(s -> s.port() == primary.endpoint().port());
            }
            case "release" -> {
                assertThat(writerStates(shard)).allMatch(s -> s.port() == candidate.endpoint().port() && s.maxconn() == 1000);
                assertThat(sql.replication(primary.endpoint())).doesNotStartWith(candidate.endpoint().toString());
            }
            case "repoint" -> assertThat(sql.adminQuery(candidate.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("0");
            default -> throw new IllegalArgumentException(step);
        }
    }

    private static void assertConverged(String shard, DbServer keep, DbServer other, RetryingWriter client) throws Exception {
        assertConverged(shard, keep, other);
        assertAcknowledgedOn(keep, other, client);
    }

    /** One writable primary, every writer on it with its normal maxconn, semi-sync on it only. */
    private static void assertConverged(String shard, DbServer keep, DbServer other) throws Exception {
        assertThat(readOnly(keep)).as(keep.id() + " read_only").isFalse();
        assertThat(readOnly(other)).as(other.id() + " read_only").isTrue();
        for (Datacenter dc : topology.datacenters()) {
            ShardFrontends f = dc.frontendsOf(shard).orElseThrow();
            ServerState state = new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
            assertThat(state.address() + ":" + state.port()).as("writer in " + dc.name()).isEqualTo(keep.endpoint().toString());
            assertThat(state.maxconn()).as("writer maxconn in " + dc.name()).isEqualTo(1000);
        }
        assertThat(sql.adminQuery(keep.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("1");
        assertThat(sql.adminQuery(other.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("0");
        assertThat(sql.replication(keep.endpoint())).isEqualTo("none");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sql.replication(other.endpoint())).isEqualTo(keep.endpoint() + " io=Yes sql=Yes"));
    }

    /** Every order the client saw acknowledged is on the primary, and reaches the replica. */
    private static void assertAcknowledgedOn(DbServer keep, DbServer other, RetryingWriter client) throws Exception {
        assertThat(client.givenUp()).as("orders whose retries ran out").isEmpty();
        List<String> acknowledged = client.acknowledged();
        String where = "idem_key IN ('" + String.join("','", acknowledged) + "')";
        assertThat(sql.countOrders(keep.endpoint(), where)).as("acknowledged orders on " + keep.id()).isEqualTo(acknowledged.size());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sql.countOrders(other.endpoint(), where)).isEqualTo(acknowledged.size()));
    }

    private static List<ServerState> writerStates(String shard) {
        return topology.datacenters().stream().map(dc -> {
            ShardFrontends f = dc.frontendsOf(shard).orElseThrow();
            return new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
        }).toList();
    }

    private static boolean readOnly(DbServer server) throws SQLException {
        return "1".equals(sql.adminQuery(server.endpoint(), "SELECT @@read_only"));
    }
}
