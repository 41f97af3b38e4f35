package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Approval gates, wait-until steps and a precheck's wait for a candidate catching up, on a real 2 DC x 2
 * shard lab, through runbooks written here, in each service's catalog as a site's runbooks are, and run by
 * {@link FailoverService} directly. The gate comes after drain-dns, so that a rollback has something to put
 * back; DNS is read from PowerDNS over DNS, not from the coordinator's memory.
 */
class ApprovalLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static String from;
    static String to;

    @BeforeAll
    static void start() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        from = writableDc();
        to = topology.datacenterNames().stream().filter(dc -> !dc.equals(from)).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (lab != null) lab.down();
    }

    /** A test that approved its failover left the checkout record in {@code to}: each test starts from {@code from}. */
    @BeforeEach
    void checkoutRecordHome() {
        new CheckoutDns(topology.dns()).pointAt(topology.datacenter(from).orElseThrow().address());
    }

    /** approval-test: precheck, drain-dns (undone by restore-dns), the gate (a failure rolls back), a report. */
    private static RunbookCatalog gated(String timeout) {
        return catalog("approval-test", """
                name: approval-test
                description: Traffic to ${to}, then a person confirms.
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
                    prompt: "Checkout DNS points at ${to}: go on?"
                    timeout: %s
                    onFailure: rollback
                  - id: report
                    kind: notify
                    message: "Approved: ${reason}"
                rollback:
                  - id: restore-dns
                    kind: drain-dns
                    to: ${from}
                    timeout: 10s
                """.formatted(timeout));
    }

    /** wait-until-test: waits for {@code condition}. */
    private static RunbookCatalog waitingFor(String condition, String timeout) {
        return catalog("wait-until-test", """
                name: wait-until-test
                description: Waits for a condition.
                scope: datacenter
                steps:
                  - id: precheck
                    kind: precheck
                    conditions:
                      - primaries-in: ${from}
                  - id: wait
                    kind: wait-until
                    condition: {%s}
                    interval: 200ms
                    timeout: %s
                  - id: report
                    kind: notify
                    message: "Waited: ${reason}"
                """.formatted(condition, timeout));
    }

    /**
     * catch-up-test: a gate, so that the test makes a candidate lag once the request was accepted (a lagging
     * candidate refuses the request itself), then the precheck that waits up to {@code catchUpWait}.
     */
    private static RunbookCatalog catchingUp(String catchUpWait) {
        return catalog("catch-up-test", """
                name: catch-up-test
                description: A person confirms, then the precheck, which waits for a candidate still catching up.
                scope: datacenter
                steps:
                  - {id: approve, kind: approval, role: operator, prompt: "go?", timeout: 60s}
                  - id: precheck
                    kind: precheck
                    timeout: 10s
                    catchUpWait: %s
                    conditions:
                      - max-lag: 1s
                  - {id: report, kind: notify, message: "Caught up: ${reason}"}
                """.formatted(catchUpWait));
    }

    /** The shipped runbooks and this one, as a site's {@code NAME.yaml}. */
    private static RunbookCatalog catalog(String name, String yaml) {
        return RunbookCatalog.of(Map.of(name + ".yaml", yaml));
    }

    @Test
    void theGateWaitsAViewerIsRefusedAnOperatorApprovesAndTheFailoverGoesOn() throws Exception {
        CoordinatorConfig config = config("approve");
        try (FailoverNode a = node(config, gated("60s"), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, gated("60s"), "c-" + to, ApprovalLabTest::allHealthy)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(request("approval-test", "approval test"), "test").id();
                Failover waiting = awaitWaiting(a, id);

                assertThat(waiting.step("approve").changes()).singleElement().asString()
                        .contains("the approval of a user with role operator or above", "Checkout DNS points at " + to + ": go on?");
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.approval-needed failover " + id + " waits at approve")
                        && e.contains("Checkout DNS points at " + to + ": go on?"));
                assertThat(served()).isEqualTo(address(to));
                // Still waiting a while later: nothing approves it on its own.
                Thread.sleep(1000);
                assertThat(a.failovers().get(id).step("approve").state()).isEqualTo(TimelineStep.State.WAITING);

                assertThatThrownBy(() -> a.failovers().approve(id, "vic", ApiRole.VIEWER, ""))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.FORBIDDEN))
                        .hasMessageContaining("user vic is a viewer; step approve of failover " + id + " needs the approval of a user with role operator or above");
                assertThatThrownBy(() -> b.failovers().approve(id, "olga", ApiRole.OPERATOR, ""))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> {
                            assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.NOT_LEADER);
                            assertThat(r.leader()).contains(config.coordinator("c-" + from).orElseThrow().url());
                        });

                Failover approved = a.failovers().approve(id, "olga", ApiRole.OPERATOR, "  DNS looks right ");
                assertThat(approved.step("approve").state()).isEqualTo(TimelineStep.State.DONE);
                assertThat(approved.step("approve").changes()).containsExactly("approved by olga: DNS looks right");
                assertThat(a.failovers().awaitIdle(Duration.ofSeconds(20))).isTrue();
                Failover done = a.failovers().get(id);
                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
                assertThat(done.timeline()).extracting(t -> t.name() + "=" + t.state())
                        .containsExactly("precheck=DONE", "drain-dns=DONE", "approve=DONE", "report=DONE");
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.approved failover " + id + ": approve approved by olga"));
                assertThat(served()).isEqualTo(address(to));

                assertThatThrownBy(() -> a.failovers().approve(id, "olga", ApiRole.OPERATOR, ""))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.CONFLICT))
                        .hasMessageContaining("failover " + id + " waits for no approval: it SUCCEEDED");
            }
        }
    }

    @Test
    void nobodyApprovingBeforeTheTimeoutFailsTheGateAndRollsBackTheDnsChange() throws Exception {
        String before = edgeTraffic();
        try (FailoverNode a = node(config("timeout"), gated("2s"), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(request("approval-test", "timeout test"), "test").id();
            awaitWaiting(a, id);
            assertThat(edgeTraffic()).as("not vacuous: drain-dns moved the record").isNotEqualTo(before);
            assertThat(a.failovers().awaitIdle(Duration.ofSeconds(20))).isTrue();
            Failover done = a.failovers().get(id);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(done.reason()).startsWith("approve failed: no approval by a user with role operator or above for approve before its deadline");
            assertThat(done.timeline()).extracting(t -> t.name() + "=" + t.state())
                    .containsExactly("precheck=DONE", "drain-dns=ROLLED_BACK", "approve=FAILED", "report=SKIPPED");
            assertThat(done.step("approve").durationMs()).isBetween(2000.0, 4000.0);
            assertThat(edgeTraffic()).isEqualTo(before);
        }
    }

    @Test
    void anAbortWhileTheGateWaitsRollsBackAtOnce() throws Exception {
        String before = edgeTraffic();
        try (FailoverNode a = node(config("abort"), gated("60s"), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(request("approval-test", "abort test"), "test").id();
            awaitWaiting(a, id);
            long start = System.nanoTime();
            Failover done = a.failovers().abort(id, "alice", "wrong DC");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("abort while waiting for an approval: %s in %d ms%n", done.state(), tookMs);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(done.reason()).isEqualTo("aborted by alice: wrong DC");
            assertThat(done.timeline()).extracting(t -> t.name() + "=" + t.state())
                    .containsExactly("precheck=DONE", "drain-dns=ROLLED_BACK", "approve=FAILED", "report=SKIPPED");
            assertThat(done.step("approve").error()).isEqualTo("stopped waiting: aborted by alice: wrong DC");
            assertThat(done.step("drain-dns").changes()).anyMatch(c -> c.startsWith("rolled back on abort: "));
            assertThat(edgeTraffic()).isEqualTo(before);
            assertThat(tookMs).isLessThan(5000);
            assertThatThrownBy(() -> a.failovers().approve(id, "olga", ApiRole.OPERATOR, ""))
                    .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.CONFLICT));
        }
    }

    @Test
    void aNewLeaderKeepsWaitingForTheApprovalUntilTheFirstDeadline() throws Exception {
        CoordinatorConfig config = config("takeover");
        try (FailoverNode a = node(config, gated("60s"), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            try (FailoverNode b = node(config, gated("60s"), "c-" + to, ApprovalLabTest::allHealthy)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
                String id = a.failovers().start(request("approval-test", "takeover test"), "test").id();
                Instant firstStart = awaitWaiting(a, id).step("approve").startedAt();

                a.session().client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
                await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).until(() -> !a.leadership().isLeader());
                await().atMost(Duration.ofSeconds(20)).until(() -> b.events().stream()
                        .anyMatch(e -> e.startsWith("failover.approval-needed failover " + id)));
                assertThat(b.events()).anyMatch(e -> e.startsWith("failover.takeover coordinator c-" + to + " waits on for the approval of approve"));
                assertThat(a.events()).anyMatch(e -> e.startsWith("failover.abandoned coordinator c-" + from + " stopped failover " + id));

                // Neither skipped nor approved nor rolled back by the takeover: still waiting, from its first start.
                Thread.sleep(1000);
                Failover waiting = b.failovers().get(id);
                assertThat(waiting.state()).isEqualTo(Failover.State.RUNNING);
                assertThat(waiting.step("approve").state()).isEqualTo(TimelineStep.State.WAITING);
                assertThat(waiting.step("approve").startedAt()).isEqualTo(firstStart);
                assertThat(waiting.step("drain-dns").state()).isEqualTo(TimelineStep.State.DONE);
                assertThat(served()).isEqualTo(address(to));

                Failover approved = b.failovers().approve(id, "olga", ApiRole.ADMIN, "");
                assertThat(approved.step("approve").changes()).containsExactly("run by the takeover of coordinator c-" + to, "approved by olga");
                await().atMost(Duration.ofSeconds(20)).until(() -> b.failovers().get(id).state() != Failover.State.RUNNING);
                Failover done = b.failovers().get(id);
                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
                assertThat(served()).isEqualTo(address(to));
            }
        }
    }

    @Test
    void anApprovalRoleTheApiDoesNotHaveIsRefusedBeforeAnythingRuns() throws Exception {
        RunbookCatalog dba = catalog("dba-approval", """
                name: dba-approval
                description: A role the coordinator's API has no users for.
                scope: datacenter
                steps:
                  - {id: ask, kind: approval, role: dba, prompt: "go?"}
                """);
        try (FailoverNode a = node(config("role"), dba, "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            assertThatThrownBy(() -> a.failovers().start(request("dba-approval", "role test"), "test"))
                    .isInstanceOfSatisfying(FailoverRefused.class, r -> assertThat(r.problems()).containsExactly(
                            "step ask: approval role 'dba' is not one of this coordinator's: sre or operator (an operator approves), admin"));
            assertThat(a.failovers().list()).isEmpty();
        }
    }

    @Test
    void waitUntilReturnsAtOnceWhenTheConditionHolds() throws Exception {
        Failover done = runWait("dc-healthy: " + to, "5s", ApprovalLabTest::allHealthy);
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        assertThat(done.step("wait").changes()).singleElement().asString().startsWith("dc-healthy " + to + " held at check 1,");
        assertThat(done.step("wait").durationMs()).isLessThan(1000.0);
    }

    @Test
    void waitUntilChecksEveryIntervalUntilTheConditionHolds() throws Exception {
        Instant healthyFrom = Instant.now().plusSeconds(3);
        // The source's health: the target's must be HEALTHY for the failover to start.
        Failover done = runWait("dc-healthy: " + from, "20s", () -> Instant.now().isAfter(healthyFrom) ? allHealthy()
                : snapshot(new DcHealth(from, Verdict.DEGRADED, List.of("test: not yet"), Instant.EPOCH)));
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        assertThat(done.step("wait").changes()).singleElement().asString().startsWith("dc-healthy " + from + " held at check ")
                .doesNotContain("held at check 1,");
        assertThat(done.step("wait").finishedAt()).isAfter(healthyFrom);
    }

    @Test
    void waitUntilFailsAtItsTimeoutWithTheLastCheckReason() throws Exception {
        Failover done = runWait("dc-down: " + to, "1s", ApprovalLabTest::allHealthy);
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
        assertThat(done.reason()).matches("wait failed: dc-down " + to + " still false after \\d+ check\\(s\\) in 1000 ms: DC "
                + to + " is HEALTHY, not DOWN.*");
        assertThat(done.step("wait").durationMs()).isBetween(1000.0, 3000.0);
        assertThat(done.step("report").state()).isEqualTo(TimelineStep.State.SKIPPED);
    }

    @Test
    void aPrecheckWaitsForACandidateCatchingUpAndSaysHowLong() throws Exception {
        DbServer candidate = topology.shards().getFirst().serverIn(to).orElseThrow();
        // Replication delayed by 4 s: the candidate lags 2 s and more (limit 1 s) when the precheck starts, then catches up by itself.
        Failover done = runCatchUp("5s", candidate, 4, service -> { });
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        assertThat(done.step("precheck").changes()).singleElement().asString()
                .matches("every candidate caught up after waiting \\d+\\.\\d s \\(catchUpWait 5000 ms, \\d+ checks\\) for: not ready: "
                        + candidate.shard() + ": candidate " + candidate.id() + " at " + candidate.endpoint() + " is lagging \\d+ s behind.*");
        assertThat(done.step("precheck").durationMs()).isBetween(250.0, 5000.0);
    }

    @Test
    void aCandidateThatDoesNotCatchUpWithinTheWaitIsRefusedSayingWhatItWaitedFor() throws Exception {
        DbServer candidate = topology.shards().getFirst().serverIn(to).orElseThrow();
        Failover done = runCatchUp("2s", candidate, 30, service -> assertThatThrownBy(() -> service.start(request("catch-up-test",
                "still lagging"), "test")).isInstanceOfSatisfying(FailoverRefused.class, r -> {
                    // Asked while it still lags, the request itself is refused, and told that this clears by itself.
                    assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.NOT_READY);
                    assertThat(r.catchingUp()).as(r.getMessage()).isTrue();
                    assertThat(r.getMessage()).contains("is lagging", "(only catching up, which clears by itself: ask again in a few seconds)");
                }));
        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
        assertThat(done.reason()).matches("precheck failed: still not caught up after waiting 2\\.\\d s \\(catchUpWait 2000 ms, \\d+ checks\\): "
                + "not ready: " + candidate.shard() + ": candidate " + candidate.id() + " at " + candidate.endpoint()
                + " is lagging \\d+ s behind the primary \\(limit 1 s\\), 1 transactions behind");
        assertThat(done.step("precheck").durationMs()).isBetween(2000.0, 5000.0);
        assertThat(done.step("report").state()).isEqualTo(TimelineStep.State.SKIPPED);
    }

    @Test
    void aCandidateThatCannotCatchUpByItselfIsRefusedAtOnce() throws Exception {
        DbServer candidate = topology.shards().getFirst().serverIn(to).orElseThrow();
        try (FailoverNode a = node(config("stopped"), catchingUp("5s"), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(request("catch-up-test", "stopped test"), "test").id();
            awaitWaiting(a, id);
            admin(candidate, "STOP SLAVE");
            try {
                a.failovers().approve(id, "olga", ApiRole.OPERATOR, "");
                assertThat(a.failovers().awaitIdle(Duration.ofSeconds(20))).isTrue();
                Failover done = a.failovers().get(id);
                assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
                assertThat(done.reason()).startsWith("precheck failed: not ready: " + candidate.shard() + ": candidate " + candidate.id())
                        .contains("replication SQL thread is not running").doesNotContain("waiting");
                assertThat(done.step("precheck").durationMs()).isLessThan(2000.0);
                // Asked now, the request itself is refused, and told it will not clear by itself.
                assertThatThrownBy(() -> a.failovers().start(request("catch-up-test", "stopped"), "test"))
                        .isInstanceOfSatisfying(FailoverRefused.class, r -> {
                            assertThat(r.kind()).isEqualTo(FailoverRefused.Kind.NOT_READY);
                            assertThat(r.catchingUp()).isFalse();
                            assertThat(r.getMessage()).doesNotContain("clears by itself");
                        });
            } finally {
                admin(candidate, "START SLAVE");
            }
        }
    }

    /**
     * Starts catch-up-test, delays {@code candidate}'s replication by {@code delaySeconds} while the gate waits,
     * writes on its primary, waits until it lags 2 s, approves, gives the service to {@code afterwards} once the
     * failover ended; and puts replication back as it was.
     */
    private Failover runCatchUp(String catchUpWait, DbServer candidate, int delaySeconds, Consumer<FailoverService> afterwards)
            throws Exception {
        DbServer primary = topology.shard(candidate.shard()).orElseThrow().serverIn(from).orElseThrow();
        try (FailoverNode a = node(config("catch-up-" + delaySeconds), catchingUp(catchUpWait), "c-" + from, ApprovalLabTest::allHealthy)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(request("catch-up-test", "catch-up test"), "test").id();
            awaitWaiting(a, id);
            admin(candidate, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = " + delaySeconds, "START SLAVE");
            try {
                admin(primary, "INSERT INTO probe(shard) VALUES ('catch-up')");
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> secondsBehind(candidate) >= 2);
                a.failovers().approve(id, "olga", ApiRole.OPERATOR, "");
                assertThat(a.failovers().awaitIdle(Duration.ofSeconds(30))).isTrue();
                Failover done = a.failovers().get(id);
                System.out.println(FailoverReport.of(done).text());
                afterwards.accept(a.failovers());
                return done;
            } finally {
                admin(candidate, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE");
                await().atMost(Duration.ofSeconds(40)).until(() -> secondsBehind(candidate) == 0);
            }
        }
    }

    private Failover runWait(String condition, String timeout, Supplier<HealthSnapshot> health) throws Exception {
        try (FailoverNode a = node(config("wait-" + condition.replaceAll("[^a-z]", "") + "-" + timeout), waitingFor(condition, timeout),
                "c-" + from, health)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.leadership().isLeader());
            String id = a.failovers().start(request("wait-until-test", "wait test"), "test").id();
            assertThat(a.failovers().awaitIdle(Duration.ofSeconds(30))).isTrue();
            Failover done = a.failovers().get(id);
            System.out.println(FailoverReport.of(done).text());
            return done;
        }
    }

    private static FailoverRequest request(String runbook, String reason) {
        return new FailoverRequest(runbook, from, to, reason, false, false);
    }

    private static Failover awaitWaiting(FailoverNode node, String id) {
        AtomicReference<Failover> seen = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen.set(node.failovers().get(id));
            assertThat(seen.get().state()).as(seen.get().reason()).isEqualTo(Failover.State.RUNNING);
            return seen.get().step("approve").state() == TimelineStep.State.WAITING;
        });
        return seen.get();
    }

    private static FailoverNode node(CoordinatorConfig config, RunbookCatalog runbooks, String id, Supplier<HealthSnapshot> health) {
        return FailoverNode.start(config, runbooks, id, SwitchoverOptions.defaults(), health, step -> { });
    }

    private static HealthSnapshot allHealthy() {
        return FailoverNode.allHealthy(topology);
    }

    /** Every DC HEALTHY but {@code one}. */
    private static HealthSnapshot snapshot(DcHealth one) {
        return new HealthSnapshot(Instant.now(), topology.datacenterNames().stream()
                .map(dc -> dc.equals(one.dc()) ? one : new DcHealth(dc, Verdict.HEALTHY, List.of(), Instant.EPOCH)).toList(), List.of());
    }

    private static CoordinatorConfig config(String name) throws Exception {
        String namespace = "approval-" + name + "-" + ProcessHandle.current().pid();
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

    private static String address(String dc) {
        return topology.datacenter(dc).orElseThrow().address();
    }

    private static String served() {
        return new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
    }

    private static String edgeTraffic() {
        return "dns " + served() + ", weights " + new CheckoutDrain(topology).weights();
    }

    private static void admin(DbServer server, String... statements) throws SQLException {
        var c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(server.endpoint(), c.database(), 2000, 10_000),
                c.adminUser(), c.adminPassword()); Statement st = connection.createStatement()) {
            for (String sql : statements) st.execute(sql);
        }
    }

    private static long secondsBehind(DbServer replica) {
        var status = (ServerStatus.Up) LiveShard.discover(topology.shard(replica.shard()).orElseThrow(), topology.credentials())
                .other(replica);
        return status.replication().orElseThrow().secondsBehind().orElse(-1L);
    }

    private static String writableDc() {
        DbServer primary = null;
        for (DbServer s : topology.shards().getFirst().servers()) {
            try (MariaDbServer server = new MariaDbServer(s, topology.credentials())) {
                if (server.status() instanceof ServerStatus.Up up && !up.readOnly()) primary = s;
            }
        }
        assertThat(primary).as("the writable server of " + topology.shards().getFirst().name()).isNotNull();
        return primary.dc();
    }
}
