package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.agents.Agent;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.HttpReporter;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.failover.FailoverReport;
import dev.baton.orchestrator.failover.Json;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole-DC evacuation through the coordinator API on a real 2 DC x 2 shard lab with a checkout app
 * and an agent per DC: a dry run and a DNS failure change nothing; east is evacuated to west under
 * checkout load (DNS, LB weights, primaries, verification) and failed back, with no failed checkout
 * and a clean audit.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class EvacuationLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sre-token";
    private static final String ADMIN = "admin-token";
    private static final Duration AGENT_INTERVAL = Duration.ofMillis(500);
    private static final HealthPolicy POLICY = new HealthPolicy(Duration.ofMillis(1500), Duration.ofSeconds(1), 2, 5,
            Duration.ofSeconds(60), 4, Duration.ofSeconds(5));
    /** The steps of the shipped planned-evacuation runbook, a request's default. */
    private static final List<String> EVACUATION = List.of("precheck", "drain-dns", "drain-lb", "switch-shards", "verify", "report");
    /** The steps of the shipped fail-back runbook, the default of a request into a drained DC. */
    private static final List<String> FAIL_BACK = List.of("precheck", "drain-dns", "undrain-lb", "switch-shards", "verify", "report");

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Coordinator coordinator;
    /** The same world, but its config has a wrong PowerDNS API key. */
    static Coordinator badDns;
    /** The same world, but its config names a checkout backend west's HAProxy does not have. */
    static Coordinator badLb;
    static ZooKeeperSession zk;
    static String namespace;
    static final List<Agent> agents = new ArrayList<>();
    static final List<HttpReporter> reporters = new ArrayList<>();

    @BeforeAll
    static void start() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        namespace = "evac-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        CoordinatorConfig good = config("good", topology, namespace);
        coordinator = Coordinator.start(good, "c-good", SwitchoverOptions.defaults(), POLICY);
        Dns dns = topology.dns();
        Topology wrongKey = new Topology(topology.name(), topology.datacenters(), topology.shards(),
                new Dns(dns.zone(), dns.checkoutName(), dns.ttl(), dns.server(), dns.apiUrl(), "not-the-key"),
                topology.zookeeper(), topology.credentials());
        badDns = Coordinator.start(config("bad", wrongKey, namespace + "-bad"), "c-bad", SwitchoverOptions.defaults(), POLICY);
        Topology wrongBackend = new Topology(topology.name(), topology.datacenters().stream().map(dc -> dc.name().equals("west")
                ? new Datacenter(dc.name(), dc.address(), dc.haproxyRuntime(), dc.checkoutApp(), dc.frontends(),
                new CheckoutFrontend(dc.checkoutFrontend().endpoint(), "b_missing"))
                : dc).toList(), topology.shards(), topology.dns(), topology.zookeeper(), topology.credentials());
        badLb = Coordinator.start(config("badlb", wrongBackend, namespace + "-badlb"), "c-badlb", SwitchoverOptions.defaults(), POLICY);
        zk = new ZooKeeperSession(good.zookeeper()).start(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader() && badDns.leadership().isLeader()
                && badLb.leadership().isLeader());
        for (String dc : topology.datacenterNames()) {
            HttpReporter reporter = new HttpReporter(List.of(URI.create(coordinator.url())), "agent-token-" + dc, Backoff.defaults(),
                    AGENT_INTERVAL);
            reporters.add(reporter);
            agents.add(new Agent("agent-" + dc, dc, Probers.forDc(topology, dc, Duration.ofMillis(400)), reporter, AGENT_INTERVAL).start());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> verdict("east").equals("HEALTHY") && verdict("west").equals("HEALTHY"));
    }

    private static CoordinatorConfig config(String name, Topology world, String zkNamespace) {
        Path file = dir.resolve(name + ".yaml");
        ConfigLoader.write(new ConfigFile(world, null,
                List.of(new CoordinatorPeer("c-" + name, "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(world.zookeeper().toString(), zkNamespace, 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, TokenHash.of(TOKEN)), new ApiUser("ada", ApiRole.ADMIN, TokenHash.of(ADMIN))),
                world.datacenterNames().stream().map(dc -> new AgentAccount("agent-" + dc, dc, TokenHash.of("agent-token-" + dc))).toList(),
                name + "-audit.jsonl"), file);
        return ConfigLoader.load(file);
    }

    @AfterAll
    static void stop() {
        try {
            agents.forEach(Agent::close);
            reporters.forEach(HttpReporter::close);
            if (coordinator != null) coordinator.close();
            if (badDns != null) badDns.close();
            if (badLb != null) badLb.close();
            if (zk != null) zk.close();
        } finally {
            if (lab != null) lab.down();
        }
    }

    private static String verdict(String dc) throws Exception {
        for (JsonNode d : JSON.readTree(Http.get(coordinator.url() + "/api/v1/health", TOKEN).body()).get("datacenters")) {
            if (d.get("dc").asText().equals(dc)) return d.get("verdict").asText();
        }
        throw new AssertionError("no DC " + dc + " in /health");
    }

    private static String address(String dc) {
        return topology.datacenter(dc).orElseThrow().address();
    }

    /** What the DNS server answers for the checkout name, over DNS. */
    private static String served() {
        return new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
    }

    /** Everything a failover could change, read from the servers: roles, positions, writer targets, the served record, weights. */
    private static Map<String, String> worldState() {
        Map<String, String> state = new TreeMap<>(ServersState.of(topology));
        state.put("dns", served());
        state.put("weights", new CheckoutDrain(topology).weights().toString());
        return state;
    }

    private static JsonNode awaitEnd(Coordinator c, String id) throws Exception {
        String url = c.url() + "/api/v1/failovers/" + id;
        await().atMost(Duration.ofSeconds(30)).until(() -> !JSON.readTree(Http.get(url, TOKEN).body()).get("state").asText().equals("RUNNING"));
        return JSON.readTree(Http.get(url, TOKEN).body());
    }

    private static List<String> states(JsonNode failover) {
        List<String> all = new ArrayList<>();
        failover.get("timeline").forEach(s -> all.add(s.get("name").asText() + "=" + s.get("state").asText()));
        return all;
    }

    @Test
    void a_aDryRunShowsTheDnsRecordAndWeightsItWouldChangeAndChangesNothing() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> response = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"preview\",\"dryRun\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode traffic = JSON.readTree(response.body()).at("/plan/traffic");
        assertThat(traffic.at("/dns/before/ip").asText()).isEqualTo(address("east"));
        assertThat(traffic.at("/dns/after/ip").asText()).isEqualTo(address("west"));
        assertThat(traffic.get("lb").asText()).isEqualTo("DRAIN");
        assertThat(traffic.get("problems")).isEmpty();
        List<String> moves = new ArrayList<>();
        traffic.at("/weights/weights").forEach(w -> moves.add(w.get("haproxy").asText() + ":" + w.get("server").asText() + " "
                + w.get("before").asInt() + "->" + w.get("after").asInt()));
        assertThat(moves).containsExactlyInAnyOrder("east:east 100->0", "east:west 0->100", "west:east 0->0", "west:west 100->100");
        assertThat(worldState()).isEqualTo(before);
        assertThat(Http.get(coordinator.url() + "/api/v1/failovers", TOKEN).body()).isEqualTo("[]");
    }

    @Test
    void b_aDnsFailureRollsBackWithNothingChanged() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> preview = Http.post(badDns.url() + "/api/v1/failovers", TOKEN,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"preview\",\"dryRun\":true}");
        assertThat(JSON.readTree(preview.body()).at("/plan/traffic/problems/0").asText()).startsWith("DNS: PowerDNS at ").contains("401");

        // Forced: no agent reports to this coordinator, so its view of west is not HEALTHY.
        HttpResponse<String> started = Http.post(badDns.url() + "/api/v1/failovers", ADMIN,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"wrong DNS key\",\"force\":true}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode done = awaitEnd(badDns, JSON.readTree(started.body()).get("id").asText());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("ROLLED_BACK");
        assertThat(states(done)).containsExactly("precheck=DONE", "drain-dns=FAILED", "drain-lb=SKIPPED", "switch-shards=SKIPPED",
                "verify=SKIPPED", "report=SKIPPED");
        assertThat(done.get("reason").asText()).startsWith("drain-dns failed: PowerDNS at " + topology.dns().apiUrl()).contains("HTTP 401");
        // It failed reading the record, before it knew what to change: the report claims no DNS change.
        assertThat(reportOf(badDns, done).text()).doesNotContain("dns: ");
        assertThat(worldState()).isEqualTo(before);
    }

    @Test
    void b_anLbFailureAfterTheDnsFlipPutsTheRecordBack() throws Exception {
        Map<String, String> before = worldState();
        HttpResponse<String> started = Http.post(badLb.url() + "/api/v1/failovers", ADMIN,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"wrong backend\",\"force\":true}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode done = awaitEnd(badLb, JSON.readTree(started.body()).get("id").asText());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("ROLLED_BACK");
        assertThat(states(done)).containsExactly("precheck=DONE", "drain-dns=ROLLED_BACK", "drain-lb=FAILED", "switch-shards=SKIPPED",
                "verify=SKIPPED", "report=SKIPPED");
        assertThat(done.get("reason").asText()).startsWith("drain-lb failed: ").contains("HAProxy of west").contains("b_missing");
        JsonNode dnsStep = done.get("timeline").get(1);
        assertThat(dnsStep.get("changes").get(0).asText()).endsWith(address("east") + " -> " + address("west") + " (TTL 1)");
        assertThat(dnsStep.get("changes").get(1).asText()).startsWith("rolled back: ").contains(address("west") + " -> " + address("east"));
        // The drain failed reading west's HAProxy, before it moved any weight: no LB change is claimed.
        assertThat(done.get("reason").asText()).contains("(read HAProxy of [east]; changed nothing)");
        assertThat(reportOf(badLb, done).text()).contains(address("east") + " -> " + address("west") + " (TTL 1) (rolled back)\n")
                .doesNotContain("lb: ");
        assertThat(worldState()).isEqualTo(before);
    }

    @Test
    void c_anEvacuationUnderLoadMovesDnsWeightsAndPrimariesAndVerifies() throws Exception {
        JsonNode done = evacuateUnderLoad("east", "west", "planned-evacuation", EVACUATION);
        assertThat(done.at("/traffic/dns/before/ip").asText()).isEqualTo(address("east"));
        assertThat(new CheckoutDrain(topology).weights()).isEqualTo(Map.of(
                "east", Map.of("east", 0, "west", 100), "west", Map.of("east", 0, "west", 100)));
        JsonNode dryRunBack = JSON.readTree(Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                "{\"from\":\"west\",\"to\":\"east\",\"reason\":\"preview\",\"dryRun\":true}").body());
        assertThat(dryRunBack.at("/plan/traffic/lb").asText()).isEqualTo("UNDRAIN");
    }

    @Test
    void d_aFailBackIsTheSameOperationAndUndrains() throws Exception {
        evacuateUnderLoad("west", "east", "fail-back", FAIL_BACK);
        assertThat(new CheckoutDrain(topology).weights()).isEqualTo(Map.of(
                "east", Map.of("east", 100, "west", 0), "west", Map.of("east", 0, "west", 100)));
    }

    @Test
    void e_aRunbookWithAStepThisCoordinatorCannotRunIsRefusedBeforeAnythingChanges() throws Exception {
        Map<String, String> before = worldState();
        int failovers = JSON.readTree(Http.get(coordinator.url() + "/api/v1/failovers", TOKEN).body()).size();
        for (String dryRun : List.of("false", "true")) {
            HttpResponse<String> refused = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                    "{\"runbook\":\"emergency-failover\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\",\"dryRun\":" + dryRun + "}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            JsonNode error = JSON.readTree(refused.body());
            assertThat(error.get("code").asText()).isEqualTo("invalid_runbook");
            List<String> problems = new ArrayList<>();
            error.get("problems").forEach(p -> problems.add(p.asText()));
            assertThat(problems).containsExactly("step page: notify channel 'pager' is not configured (known: none)");
        }
        HttpResponse<String> unknown = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                "{\"runbook\":\"/etc/passwd\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\"}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).get("message").asText())
                .startsWith("no runbook named '/etc/passwd' on coordinator c-good; its runbooks: planned-evacuation, ");
        HttpResponse<String> noShard = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                "{\"runbook\":\"shard-switchover\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"drill\"}");
        assertThat(noShard.statusCode()).as(noShard.body()).isEqualTo(422);
        assertThat(JSON.readTree(noShard.body()).get("problems").get(0).asText()).contains("moves exactly one shard");
        assertThat(JSON.readTree(Http.get(coordinator.url() + "/api/v1/failovers", TOKEN).body()).size()).isEqualTo(failovers);
        assertThat(worldState()).isEqualTo(before);
    }

    @Test
    void f_theShardSwitchoverRunbookMovesOneShardAndLeavesTrafficWhereItIs() throws Exception {
        String moved = topology.shards().getFirst().name();
        String stays = topology.shards().get(1).name();
        String request = "{\"runbook\":\"shard-switchover\",\"from\":\"east\",\"to\":\"west\",\"shards\":[\"" + moved
                + "\"],\"reason\":\"maintenance of " + moved + "\"";
        Map<String, String> before = worldState();
        JsonNode preview = JSON.readTree(Http.post(coordinator.url() + "/api/v1/failovers", TOKEN, request + ",\"dryRun\":true}").body());
        assertThat(preview.get("runbook").asText()).isEqualTo("shard-switchover");
        List<String> planned = new ArrayList<>();
        preview.at("/runbookPlan/steps").forEach(st -> planned.add(st.get("id").asText()));
        assertThat(planned).containsExactly("precheck", "switch", "verify", "report");
        JsonNode groups = preview.at("/runbookPlan/steps/1/action/groups");
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).get(0).get("shard").asText()).isEqualTo(moved);
        assertThat(groups.get(0).get(0).at("/candidate/dc").asText()).isEqualTo("west");
        assertThat(preview.get("runbookText").asText()).contains("2. switch [switch-shards]");
        assertThat(preview.at("/plan/shards")).hasSize(1);
        assertThat(worldState()).isEqualTo(before);

        HttpResponse<String> started = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN, request + "}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode done = awaitEnd(coordinator, JSON.readTree(started.body()).get("id").asText());
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(states(done)).containsExactly("precheck=DONE", "switch=DONE", "verify=DONE", "report=DONE");
        assertThat(done.at("/runbook/runbook").asText()).isEqualTo("shard-switchover");
        assertThat(done.at("/traffic/verifications")).hasSize(1);
        assertThat(done.at("/traffic/verifications/0/shard").asText()).isEqualTo(moved);
        assertThat(LiveShard.discover(topology.shard(moved).orElseThrow(), topology.credentials()).primary().server().dc()).isEqualTo("west");
        assertThat(LiveShard.discover(topology.shard(stays).orElseThrow(), topology.credentials()).primary().server().dc()).isEqualTo("east");
        assertThat(served()).isEqualTo(before.get("dns"));
        assertThat(worldState().get("weights")).isEqualTo(before.get("weights"));
    }

    /** One evacuation through the API while checkouts flow through DNS; checks what every evacuation must leave. */
    private JsonNode evacuateUnderLoad(String from, String to, String runbook, List<String> steps) throws Exception {
        LoadResult load;
        JsonNode done;
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(50))) {
            generator.start();
            Thread.sleep(1000);
            HttpResponse<String> started = Http.post(coordinator.url() + "/api/v1/failovers", TOKEN,
                    "{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"reason\":\"evacuate " + from + "\"}");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            done = awaitEnd(coordinator, JSON.readTree(started.body()).get("id").asText());
            // Past the record's TTL, so the load generator has followed DNS to the new DC.
            Thread.sleep(2000);
            load = generator.stop();
        }
        String id = done.get("id").asText();
        FailoverReport report = Json.MAPPER.readValue(Http.get(coordinator.url() + "/api/v1/failovers/" + id + "/report", TOKEN).body(),
                FailoverReport.class);
        System.out.println(report.text());
        assertThat(done.get("state").asText()).as(report.text()).isEqualTo("SUCCEEDED");
        assertThat(done.at("/runbook/runbook").asText()).isEqualTo(runbook);
        assertThat(states(done)).containsExactlyElementsOf(steps.stream().map(s -> s + "=DONE").toList());
        Instant previousEnd = Instant.parse(done.get("created").asText());
        for (JsonNode step : done.get("timeline")) {
            Instant startedAt = Instant.parse(step.get("startedAt").asText());
            assertThat(startedAt).isAfterOrEqualTo(previousEnd);
            previousEnd = Instant.parse(step.get("finishedAt").asText());
        }
        // Written before and after every step, and after every traffic change and the end.
        Stat stat = new Stat();
        zk.client().getData().storingStatIn(stat).forPath("/failovers/" + id);
        assertThat(stat.getVersion()).isGreaterThanOrEqualTo(2 * steps.size() + 1);

        assertThat(served()).isEqualTo(address(to));
        assertThat(report.dns().after().ip()).isEqualTo(address(to));
        assertThat(report.weightChanges()).isNotEmpty();
        assertThat(report.verified()).isTrue();
        // The record ties the failover to the exact runbook file the catalog offers.
        JsonNode listed = StreamSupport.stream(JSON.readTree(Http.get(coordinator.url() + "/api/v1/runbooks", TOKEN).body()).spliterator(), false)
                .filter(r -> r.get("name").asText().equals(report.runbook())).findFirst().orElseThrow();
        assertThat(report.runbookSha256()).isEqualTo(listed.get("sha256").asText());
        assertThat(report.text()).contains("  runbook: " + report.runbook() + " (sha256 " + report.runbookSha256() + ")\n");
        assertThat(report.verifications()).hasSize(topology.shards().size()).allMatch(v -> v.ok() && v.dc().equals(to));
        assertThat(report.shards()).allSatisfy(s -> assertThat(s.writePauseMs()).isPositive());
        for (Shard shard : topology.shards()) {
            assertThat(LiveShard.discover(shard, topology.credentials()).primary().server().dc()).isEqualTo(to);
        }

        assertThat(load.failed()).as("failed checkouts: %s", load.failures()).isZero();
        assertThat(load.acknowledged()).isGreaterThan(100);
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(10)).check(load.orders());
        assertThat(audit.clean()).as(audit.toString()).isTrue();
        return done;
    }

    private static FailoverReport reportOf(Coordinator on, JsonNode failover) throws Exception {
        return Json.MAPPER.readValue(Http.get(on.url() + "/api/v1/failovers/" + failover.get("id").asText() + "/report", TOKEN).body(),
                FailoverReport.class);
    }

}
