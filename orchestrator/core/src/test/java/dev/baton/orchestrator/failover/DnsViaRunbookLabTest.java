package dev.baton.orchestrator.failover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.ARecord;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.PowerDnsClient;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.PlannedStep;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runbooks whose drain-dns goes {@code via: rfc2136} (dynamic updates signed with the topology's TSIG
 * key), run through {@link FailoverService} against the lab's real PowerDNS (dnsupdate on, the zone
 * bound to the lab's key), each by a coordinator of its own over a topology altered as the test needs.
 */
class DnsViaRunbookLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Dns dns;
    static AuthoritativeDns server;
    static PowerDnsClient api;
    static ARecord atEast;
    static ARecord atWest;

    /** Points the record at west via RFC 2136, then fails on purpose (east is up), so the failover rolls back. */
    private static final String API_THEN_SIGNED_UNDO = """
            name: api-then-signed-undo
            steps:
              - {id: drain-dns, kind: drain-dns, via: api, timeout: 10s, onFailure: rollback, undo: restore-dns}
              - {id: must-fail, kind: precheck, conditions: [{dc-down: "${from}"}], onFailure: rollback}
            rollback:
              - {id: restore-dns, kind: drain-dns, to: "${from}", via: rfc2136, timeout: 10s}
            """;

    private static final String SIGNED_THEN_ROLLED_BACK = """
            name: signed-drain
            steps:
              - {id: drain-dns, kind: drain-dns, via: rfc2136, timeout: 10s, onFailure: rollback, undo: restore-dns}
              - {id: must-fail, kind: precheck, conditions: [{dc-down: "${from}"}], onFailure: rollback}
            rollback:
              - {id: restore-dns, kind: drain-dns, to: "${from}", timeout: 10s}
            """;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 1, 0, false));
        topology = lab.topology();
        dns = topology.dns();
        server = new AuthoritativeDns(dns.server());
        api = new PowerDnsClient(dns.apiUrl(), dns.apiKey());
        // The lab's names are fully qualified already, as records are served.
        String name = dns.checkoutName();
        atEast = new ARecord(name, topology.datacenter("east").orElseThrow().address(), dns.ttl());
        atWest = new ARecord(name, topology.datacenter("west").orElseThrow().address(), dns.ttl());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void aSignedDrainAndItsForcedRollbackGoThroughRfc2136AloneTheApiKeyBeingWrong() throws Exception {
        // With a wrong API key, any use of the PowerDNS API would fail the failover: only RFC 2136 can move the record.
        Topology noApi = withDns(new Dns(dns.zone(), dns.checkoutName(), dns.ttl(), dns.server(), dns.apiUrl(), "not-the-api-key",
                dns.tsig()));
        List<String> afterDrain = Collections.synchronizedList(new ArrayList<>());
        Consumer<String> look = step -> {
            if (step.equals("drain-dns")) afterDrain.add(served() + " | api " + api.aRecord(dns.zone(), dns.checkoutName()).orElse(null));
        };
        try (FailoverNode node = node("signed", noApi, look)) {
            Failover done = run(node, "signed-drain");

            assertThat(via(done.runbook().steps().getFirst())).isEqualTo(Step.DnsVia.RFC2136);
            assertThat(via(done.runbook().rollback().getFirst())).as("the undo goes the way of the step it undoes")
                    .isEqualTo(Step.DnsVia.RFC2136);
            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(done.reason()).contains("must-fail failed").contains("DC east");
            // Served by the DNS server and held by the backend as the API director would write it: same record, same TTL.
            assertThat(afterDrain).containsExactly(atWest + " | api " + atWest);
            assertThat(done.step("drain-dns").state()).isEqualTo(TimelineStep.State.ROLLED_BACK);
            assertThat(done.step("drain-dns").changes()).containsExactly(
                    atEast.name() + " A " + atEast.ip() + " -> " + atWest.ip() + " (TTL " + dns.ttl() + ")",
                    "rolled back: " + atEast.name() + " A " + atWest.ip() + " -> " + atEast.ip() + " (TTL " + dns.ttl() + ")");
            assertThat(node.events()).anyMatch(e -> e.startsWith("failover.rollback ") && e.contains("rolled back drain-dns"));
        }
        assertThat(server.query(dns.checkoutName())).contains(atEast);
        assertThat(api.aRecord(dns.zone(), dns.checkoutName())).contains(atEast);
    }

    @Test
    void aWrongTsigSecretIsRefusedByTheServerNamingKeyAndRcodeAndChangesNothing() throws Exception {
        Tsig key = dns.tsig();
        Tsig wrong = new Tsig(key.name(), key.algorithm(), randomSecret());
        Topology wrongKey = withDns(new Dns(dns.zone(), dns.checkoutName(), dns.ttl(), dns.server(), dns.apiUrl(), dns.apiKey(), wrong));
        long serial = soaSerial();
        try (FailoverNode node = node("wrong-key", wrongKey, step -> { })) {
            Failover done = run(node, "signed-drain");

            TimelineStep drain = done.step("drain-dns");
            assertThat(drain.state()).isEqualTo(TimelineStep.State.FAILED);
            assertThat(drain.error()).contains("DNS server " + dns.server() + " refused to update " + atEast.name() + " A -> " + atWest.ip())
                    .contains("signed with TSIG key " + key.name() + ": REFUSED")
                    .contains("a wrong or unknown key")
                    .doesNotContain(wrong.secret());
            // It changed nothing, so it ends as rolled back whatever came after it.
            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(done.step("must-fail").state()).isEqualTo(TimelineStep.State.SKIPPED);
        }
        assertThat(server.query(dns.checkoutName())).contains(atEast);
        assertThat(soaSerial()).as("no update reached the zone").isEqualTo(serial);
    }

    @Test
    void aDrainThroughTheApiIsUndoneThroughRfc2136WhenTheRollbackStepSaysSo() throws Exception {
        List<String> afterDrain = Collections.synchronizedList(new ArrayList<>());
        Consumer<String> look = step -> {
            if (step.equals("drain-dns")) afterDrain.add(served());
        };
        try (FailoverNode node = node("mixed", topology, look)) {
            Failover done = run(node, "api-then-signed-undo");

            assertThat(via(done.runbook().steps().getFirst())).isEqualTo(Step.DnsVia.API);
            assertThat(via(done.runbook().rollback().getFirst())).isEqualTo(Step.DnsVia.RFC2136);
            assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(afterDrain).containsExactly(atWest.toString());
            // The signed undo read the record the API wrote exactly as it would have written it: same name, address and TTL.
            assertThat(done.step("drain-dns").changes()).last().isEqualTo("rolled back: " + atEast.name() + " A " + atWest.ip()
                    + " -> " + atEast.ip() + " (TTL " + dns.ttl() + ")");
        }
        assertThat(server.query(dns.checkoutName())).contains(atEast);
        assertThat(api.aRecord(dns.zone(), dns.checkoutName())).contains(atEast);
    }

    /** A coordinator's failover side over {@code world}, in a ZooKeeper namespace of its own, once it leads. */
    private static FailoverNode node(String name, Topology world, Consumer<String> afterStep) {
        ConfigFile file = new ConfigFile(world, null, List.of(new CoordinatorPeer("c-" + name, "east", new Endpoint("127.0.0.1", 9))),
                new ZooKeeperConfig(world.zookeeper().toString(), "dns-via-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                        4000), List.of(), List.of(), "audit-" + name + ".jsonl");
        Path yaml = dir.resolve(name + ".yaml");
        ConfigLoader.write(file, yaml);
        RunbookCatalog runbooks = RunbookCatalog.of(Map.of("signed-drain.yaml", SIGNED_THEN_ROLLED_BACK,
                "api-then-signed-undo.yaml", API_THEN_SIGNED_UNDO));
        FailoverNode node = FailoverNode.start(ConfigLoader.load(yaml), runbooks, "c-" + name, SwitchoverOptions.defaults(),
                () -> FailoverNode.allHealthy(world), afterStep);
        await().atMost(Duration.ofSeconds(10)).until(node.leadership()::isLeader);
        return node;
    }

    private static Failover run(FailoverNode node, String runbook) throws InterruptedException {
        String id = node.failovers().start(new FailoverRequest(runbook, "east", "west", "dns via test", false, false), "test").id();
        assertThat(node.failovers().awaitIdle(Duration.ofSeconds(60))).isTrue();
        Failover done = node.failovers().get(id);
        System.out.println(FailoverReport.of(done).text());
        return done;
    }

    private static Step.DnsVia via(PlannedStep step) {
        return ((Action.PointRecord) step.action()).via();
    }

    private static String served() {
        return server.query(dns.checkoutName()).map(ARecord::toString).orElse("(none)");
    }

    private static Topology withDns(Dns changed) {
        return new Topology(topology.name(), topology.datacenters(), topology.shards(), changed, topology.zookeeper(),
                topology.credentials());
    }

    private static String randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    private static long soaSerial() throws Exception {
        Lookup lookup = new Lookup(Name.fromString(dns.zone()), Type.SOA);
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(dns.server().host(), dns.server().port()));
        resolver.setTCP(true);
        lookup.setResolver(resolver);
        lookup.setCache(null);
        return ((SOARecord) lookup.run()[0]).getSerial();
    }
}
