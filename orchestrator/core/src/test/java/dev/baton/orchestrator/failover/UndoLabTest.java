package dev.baton.orchestrator.failover;

import dev.baton.chaos.consul.ConsulStandIn;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsulConfig;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.consul.ConsulDirector;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.orchestrator.traffic.PowerDnsClient;
import dev.baton.orchestrator.traffic.WeightChange;
import dev.baton.runbooks.Checked;
import dev.baton.runbooks.Runbooks;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rollbacks that undo every changing step from its own record, on a real 2 DC x 2 shard lab (PowerDNS,
 * HAProxy) with Consul as {@link ConsulStandIn} (no Consul server can be installed here): two DNS and
 * two LB steps, consul KV and catalog steps, an undo refused because someone changed the key since, and
 * a new leader undoing what a lost one did. What the servers and the stand-in hold is checked.
 */
class UndoLabTest {
    /** Each test's own service: they share the stand-in. */
    private static final String SERVICE = "search";
    private static final String TAKEOVER_SERVICE = "reports";

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static ConsulStandIn consul;
    static final Map<String, String> runbooks = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, false));
        topology = lab.topology();
        consul = ConsulStandIn.start("127.0.0.1");
    }

    @AfterAll
    static void stop() {
        try {
            if (consul != null) consul.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    @Test
    void twoDnsAndTwoLbStepsAreEachUndoneFromTheirOwnRecordNewestFirst() throws Exception {
        String before = edgeTraffic();
        // The second LB step undoes the first's drain: restoring only the latest record would leave east drained.
        String runbook = runbook("two-of-each", """
                  - {id: dns-1, kind: drain-dns, to: "${to}", timeout: 10s, onFailure: rollback, undo: dns-1-back}
                  - {id: lb-1, kind: drain-lb, action: drain, timeout: 10s, onFailure: rollback, undo: lb-back}
                  - {id: dns-2, kind: drain-dns, to: "${from}", timeout: 10s, onFailure: rollback, undo: dns-2-back}
                  - {id: lb-2, kind: drain-lb, action: undrain, timeout: 10s, onFailure: rollback, undo: lb-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """, """
                  - {id: dns-1-back, kind: drain-dns, to: "${from}", timeout: 10s}
                  - {id: dns-2-back, kind: drain-dns, to: "${to}", timeout: 10s}
                  - {id: lb-back, kind: drain-lb, action: restore, timeout: 10s}
                """);
        try (FailoverNode node = leader(config("two-of-each"), "c-east", step -> { })) {
            Failover done = run(node, runbook);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(edgeTraffic()).as("DNS and checkout weights, read from PowerDNS and every HAProxy").isEqualTo(before);
            assertThat(done.timeline()).extracting(t -> t.name() + "=" + t.state()).containsExactly("dns-1=ROLLED_BACK",
                    "lb-1=ROLLED_BACK", "dns-2=ROLLED_BACK", "lb-2=ROLLED_BACK", "fail=FAILED");
            assertThat(done.traffic().weightSteps()).containsOnlyKeys("lb-1", "lb-2");
            assertThat(done.traffic().dnsSteps()).containsOnlyKeys("dns-1", "dns-2");
            // The latest views stay what the console shows: the last step's.
            assertThat(done.traffic().weights()).isEqualTo(done.traffic().weightSteps().get("lb-2"));
            String west = topology.datacenter("west").orElseThrow().address();
            String east = topology.datacenter("east").orElseThrow().address();
            assertThat(FailoverReport.of(done).dnsChanges()).extracting(d -> d.after().ip()).containsExactly(west, east);
            assertThat(done.timeline()).as("each DNS undo put the record where its step found it").allSatisfy(t ->
                    assertThat(t.changes()).noneMatch(c -> c.contains("note:")));
            List<WeightChange> moved = done.traffic().weightSteps().values().stream().flatMap(d -> d.weights().stream())
                    .filter(WeightChange::changed).toList();
            assertThat(moved).as("both LB steps moved weights").hasSizeGreaterThan(done.traffic().weightSteps().get("lb-1").weights().stream()
                    .filter(WeightChange::changed).toList().size());
            assertThat(FailoverReport.of(done).weightChanges()).containsExactlyElementsOf(moved);
        }
    }

    @Test
    void aDnsUndoThatPutsTheRecordElsewhereThanItWasSaysSo() throws Exception {
        // Someone pointed the record at a third address; the runbook's rollback says "${from}", and that is what runs.
        String elsewhere = "127.0.9.9";
        new PowerDnsClient(topology.dns().apiUrl(), topology.dns().apiKey()).setARecord(topology.dns().zone(),
                topology.dns().checkoutName(), elsewhere, topology.dns().ttl());
        String runbook = runbook("dns-elsewhere", """
                  - {id: dns-1, kind: drain-dns, to: "${to}", timeout: 10s, onFailure: rollback, undo: dns-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """, """
                  - {id: dns-back, kind: drain-dns, to: "${from}", timeout: 10s}
                """);
        try (FailoverNode node = leader(config("dns-elsewhere"), "c-east", step -> { })) {
            Failover done = run(node, runbook);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            String east = topology.datacenter("east").orElseThrow().address();
            assertThat(edgeTraffic()).startsWith("dns " + east + ",");
            assertThat(done.step("dns-1").changes()).contains("rolled back: note: dns-1 found " + topology.dns().checkoutName()
                    + " at " + elsewhere + "; dns-back points it at " + east + " (east) as planned");
        }
    }

    @Test
    void aDrainDnsRestorePutsTheRecordBackWhereItsStepFoundIt() throws Exception {
        String elsewhere = "127.0.9.8";
        PowerDnsClient pdns = new PowerDnsClient(topology.dns().apiUrl(), topology.dns().apiKey());
        pdns.setARecord(topology.dns().zone(), topology.dns().checkoutName(), elsewhere, topology.dns().ttl());
        String runbook = runbook("dns-restore", """
                  - {id: dns-1, kind: drain-dns, to: "${to}", timeout: 10s, onFailure: rollback, undo: dns-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """, """
                  - {id: dns-back, kind: drain-dns, action: restore, timeout: 10s}
                """);
        String east = topology.datacenter("east").orElseThrow().address();
        try (FailoverNode node = leader(config("dns-restore"), "c-east", step -> { })) {
            Failover done = run(node, runbook);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(edgeTraffic()).as("served by PowerDNS").startsWith("dns " + elsewhere + ",");
            String west = topology.datacenter("west").orElseThrow().address();
            assertThat(done.step("dns-1").changes()).containsExactly(
                    topology.dns().checkoutName() + " A " + elsewhere + " -> " + west + " (TTL 1)",
                    "rolled back: " + topology.dns().checkoutName() + " A " + west + " -> " + elsewhere + " (TTL 1)");
        } finally {
            pdns.setARecord(topology.dns().zone(), topology.dns().checkoutName(), east, topology.dns().ttl());
        }
    }

    @Test
    void consulKvAndTagStepsAreRestoredOnTheConsulStandInAndAKeyTheyCreatedIsDeleted() throws Exception {
        String color = "undo/color";
        String created = "undo/created";
        try (ConsulDirector director = director(config("consul-restore"))) {
            director.putKv(color, "blue");
            director.setTags(SERVICE, "west", List.of("v1"));
        }
        String runbook = runbook("consul-restore", """
                  - {id: kv-color, kind: consul, kv: {key: "%s", value: "${to}"}, onFailure: rollback, undo: consul-back}
                  - {id: kv-created, kind: consul, kv: {key: "%s", value: "by ${to}"}, onFailure: rollback, undo: consul-back}
                  - {id: tags-west, kind: consul, catalog: {service: %s, dc: "${to}", tags: [active]}, onFailure: rollback, undo: consul-back}
                  - {id: tags-east, kind: consul, catalog: {service: %s, dc: "${from}", tags: [standby]}, onFailure: rollback, undo: consul-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """.formatted(color, created, SERVICE, SERVICE), """
                  - {id: consul-back, kind: consul, action: restore}
                """);
        CoordinatorConfig config = config("consul-restore");
        try (FailoverNode node = leader(config, "c-east", step -> { })) {
            Failover done = run(node, runbook);

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            try (ConsulDirector director = director(config)) {
                assertThat(value(director, color)).contains("blue");
                assertThat(value(director, created)).isEmpty();
                assertThat(consul.keys()).doesNotContain(created);
                assertThat(tags(director, SERVICE, "west")).contains(List.of("v1"));
                assertThat(tags(director, SERVICE, "east")).as("east was not registered before").isEmpty();
            }
            assertThat(done.step("kv-color").changes()).contains("rolled back: Consul " + consul.url() + " key " + color + ": 'west' -> 'blue'");
            assertThat(done.step("kv-created").changes()).contains("rolled back: Consul " + consul.url() + " key " + created
                    + ": 'by west' -> (deleted)");
            assertThat(done.step("tags-west").changes()).contains("rolled back: Consul catalog " + SERVICE + " in west: tags [active] -> [v1]");
            assertThat(done.step("tags-east").changes()).contains("rolled back: Consul catalog " + SERVICE
                    + " in east: tags [standby] -> (deregistered)");
            assertThat(FailoverReport.of(done).text()).contains("consul: key " + created + " (absent) -> 'by west' (rolled back)");
        }
    }

    @Test
    void anUndoIsRefusedWhenSomeoneChangedTheKeySinceOnTheConsulStandIn() throws Exception {
        String key = "undo/refused";
        CoordinatorConfig config = config("consul-refused");
        try (ConsulDirector director = director(config)) {
            director.putKv(key, "blue");
        }
        String runbook = runbook("consul-refused", """
                  - {id: kv, kind: consul, kv: {key: "%s", value: "${to}"}, onFailure: rollback, undo: consul-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """.formatted(key), """
                  - {id: consul-back, kind: consul, action: restore}
                """);
        // Someone else writes the key right after the step did.
        Consumer<String> meddle = step -> {
            if (!step.equals("kv")) return;
            try (ConsulDirector director = director(config)) {
                director.putKv(key, "set by ops");
            }
        };
        try (FailoverNode node = leader(config, "c-east", meddle)) {
            Failover done = run(node, runbook);

            assertThat(done.state()).isEqualTo(Failover.State.FAILED);
            assertThat(done.reason()).contains("rolling back kv failed: Consul at " + consul.url() + ": key " + key
                    + " not restored to 'blue': expected 'west' (what the step wrote), found 'set by ops'");
            assertThat(node.events()).anyMatch(e -> e.startsWith("failover.rollback-failed") && e.contains("rolling back kv FAILED"));
            assertThat(done.step("kv").state()).isEqualTo(TimelineStep.State.DONE);
            try (ConsulDirector director = director(config)) {
                assertThat(value(director, key)).contains("set by ops");
            }
        }
    }

    @Test
    void aNewLeaderUndoesTheConsulStepsALostLeaderDidEvenWhenPartlyUndoneAlreadyOnTheConsulStandIn() throws Exception {
        String key = "undo/takeover";
        CoordinatorConfig config = config("consul-takeover");
        try (ConsulDirector director = director(config)) {
            director.putKv(key, "blue");
            director.setTags(TAKEOVER_SERVICE, "east", List.of("v1"));
        }
        String runbook = runbook("consul-takeover", """
                  - {id: kv, kind: consul, kv: {key: "%s", value: "${to}"}, onFailure: rollback, undo: consul-back}
                  - {id: tags, kind: consul, catalog: {service: %s, dc: "${from}", tags: [standby]}, onFailure: rollback, undo: consul-back}
                  - {id: fail, kind: precheck, conditions: [{dc-down: "${to}"}], onFailure: rollback}
                """.formatted(key, TAKEOVER_SERVICE), """
                  - {id: consul-back, kind: consul, action: restore}
                """);
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        Consumer<String> holdAfterTags = step -> {
            if (!step.equals("tags")) return;
            reached.countDown();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (FailoverNode a = leader(config, "c-east", holdAfterTags);
             FailoverNode b = node(config, "c-west", step -> { })) {
            await().atMost(Duration.ofSeconds(5)).until(() -> b.leadership().leaderId().isPresent());
            String id = a.failovers().start(new FailoverRequest(runbook, "east", "west", "undo takeover test", false, false), "test").id();
            assertThat(reached.await(20, TimeUnit.SECONDS)).as("the failover reached tags").isTrue();
            try (ConsulDirector director = director(config)) {
                assertThat(value(director, key)).as("not vacuous: the step wrote").contains("west");
                // As if the lost leader's own rollback had put the key back before it was lost.
                director.putKv(key, "blue");
            }

            a.session().client().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).until(() -> !a.leadership().isLeader());
            released.countDown();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> b.failovers().get(id).state() != Failover.State.RUNNING);
            Failover done = b.failovers().get(id);
            System.out.println(FailoverReport.of(done).text());

            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(done.reason()).endsWith("no shard switched, so coordinator c-west rolled it back");
            try (ConsulDirector director = director(config)) {
                assertThat(value(director, key)).contains("blue");
                assertThat(tags(director, TAKEOVER_SERVICE, "east")).contains(List.of("v1"));
            }
            assertThat(done.step("tags").changes()).contains("rolled back by the takeover of coordinator c-west: Consul catalog " + TAKEOVER_SERVICE
                    + " in east: tags [standby] -> [v1]");
            // Already back: nothing to put back, so the step stays as it ran.
            assertThat(done.step("kv").state()).isEqualTo(TimelineStep.State.DONE);
            assertThat(b.events()).noneMatch(e -> e.startsWith("failover.rollback-failed"));
        } finally {
            released.countDown();
        }
    }

    /** A runbook of these steps and rollback steps, known to the service by its name. */
    private static String runbook(String name, String steps, String rollback) {
        String yaml = "name: " + name + "\nscope: datacenter\nsteps:\n" + steps + "rollback:\n" + rollback;
        Checked checked = Runbooks.check(name + ".yaml", yaml);
        assertThat(checked.ok()).as(checked.problems().toString()).isTrue();
        runbooks.put(name + ".yaml", yaml);
        return name;
    }

    private static Failover run(FailoverNode node, String runbook) throws InterruptedException {
        String id = node.failovers().start(new FailoverRequest(runbook, "east", "west", "undo test", false, false), "test").id();
        assertThat(node.failovers().awaitIdle(Duration.ofSeconds(60))).isTrue();
        Failover done = node.failovers().get(id);
        System.out.println(FailoverReport.of(done).text());
        return done;
    }

    /** A coordinator config of its own ZooKeeper namespace, with both DCs' coordinators as peers and the stand-in as Consul. */
    private static CoordinatorConfig config(String name) throws Exception {
        Path path = dir.resolve(name + ".yaml");
        if (!path.toFile().exists()) {
            List<CoordinatorPeer> peers = new ArrayList<>();
            for (String dc : topology.datacenterNames()) {
                try (ServerSocket s = new ServerSocket(0)) {
                    peers.add(new CoordinatorPeer("c-" + dc, dc, new Endpoint("127.0.0.1", s.getLocalPort())));
                }
            }
            String namespace = "undo-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
            ConfigLoader.write(new ConfigFile(topology, null, peers, new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000),
                    List.of(), List.of(), "audit-" + name + ".jsonl", Map.of(), new ConsulConfig(consul.url(), null, null)), path);
        }
        return ConfigLoader.load(path);
    }

    private static FailoverNode node(CoordinatorConfig config, String id, Consumer<String> afterStep) {
        return FailoverNode.start(config, RunbookCatalog.of(runbooks), id, SwitchoverOptions.defaults(), UndoLabTest::allHealthy, afterStep);
    }

    private static FailoverNode leader(CoordinatorConfig config, String id, Consumer<String> afterStep) {
        FailoverNode node = node(config, id, afterStep);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.leadership().isLeader());
        return node;
    }

    private static HealthSnapshot allHealthy() {
        return FailoverNode.allHealthy(topology);
    }

    private static ConsulDirector director(CoordinatorConfig config) {
        return new ConsulDirector(config.consulTarget().orElseThrow(), topology);
    }

    /** The key's value; a preview reads without writing. */
    private static Optional<String> value(ConsulDirector director, String key) {
        return Optional.ofNullable(director.previewKv(key, "").before());
    }

    /** The DC's tags on {@code service}; empty when its instance is not registered. */
    private static Optional<List<String>> tags(ConsulDirector director, String service, String dc) {
        return Optional.ofNullable(director.previewTags(service, dc, List.of()).before());
    }

    /** Where checkouts go: the served record and every HAProxy's checkout weights. */
    private static String edgeTraffic() {
        String served = new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
        return "dns " + served + ", weights " + new CheckoutDrain(topology).weights();
    }
}
