package dev.baton.orchestrator.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.consul.ConsulStandIn;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsulConfig;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.consul.ActiveDc;
import dev.baton.orchestrator.consul.ConsulDirector;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.hooks.RecordingServer;
import dev.baton.orchestrator.hooks.RecordingServer.Reply;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Runbooks written here, with http-hook, notify-to-channel and consul steps, in the service's catalog as
 * a site's runbooks are, run through {@link FailoverService} on a real 2 DC x 2 shard lab: the hooks go
 * to real HTTP servers on loopback, Consul is the stand-in (no Consul server can be installed here).
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class HookedRunbookLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static ConsulStandIn consul;
    /** The hook that always fails (HTTP 500), the one that always takes (HTTP 200), PagerDuty (HTTP 202). */
    static RecordingServer failing;
    static RecordingServer slack;
    static RecordingServer pagerDuty;
    static CoordinatorConfig config;
    static ZooKeeperSession session;
    static Leadership leadership;
    static final List<String> events = Collections.synchronizedList(new ArrayList<>());
    static FailoverService failovers;

    @BeforeAll
    static void start() throws Exception {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, false));
        topology = lab.topology();
        consul = ConsulStandIn.start("127.0.0.1");
        failing = new RecordingServer(n -> new Reply(500, "hook receiver is down", Duration.ZERO));
        slack = new RecordingServer(n -> Reply.status(200));
        pagerDuty = new RecordingServer(n -> new Reply(202, "{\"status\":\"success\"}", Duration.ZERO));
        String namespace = "hooked-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Map<String, NotifyChannel> channels = new LinkedHashMap<>();
        channels.put("slack", new NotifyChannel(NotifyChannel.Kind.SLACK, slack.url("/slack").toString(), null));
        channels.put("pager", new NotifyChannel(NotifyChannel.Kind.PAGERDUTY, pagerDuty.url("/v2/enqueue").toString(), "rk-test-123"));
        channels.put("broken", new NotifyChannel(NotifyChannel.Kind.WEBHOOK, failing.url("/webhook").toString(), null));
        ConfigFile file = new ConfigFile(topology, null, List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", 9))),
                new ZooKeeperConfig(topology.zookeeper().toString(), namespace, 4000), List.of(), List.of(), "audit.jsonl",
                channels, new ConsulConfig(consul.url(), null, null));
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        session = new ZooKeeperSession(config.zookeeper()).start(10_000);
        leadership = new Leadership(session, "c-east").start();
        await().atMost(Duration.ofSeconds(10)).until(leadership::isLeader);
        EventHub hub = new EventHub();
        hub.subscribe(e -> events.add(e.type() + " " + e.step() + " " + e.message()));
        RunbookCatalog runbooks = RunbookCatalog.of(Map.of("pre-hook-fails.yaml", preHookFails(), "post-hook-fails.yaml", postHookFails(),
                "unknown-channel.yaml", unknownChannel(), "consul-gone.yaml", consulGone()));
        failovers = new FailoverService(config, runbooks, "c-east", leadership, new FailoverLock(session), new FailoverStore(session), hub,
                new SimpleMeterRegistry(), SwitchoverOptions.defaults(), HookedRunbookLabTest::allHealthy, step -> { });
    }

    @AfterAll
    static void stop() {
        try {
            for (AutoCloseable c : new AutoCloseable[]{leadership, session, failing, slack, pagerDuty, consul}) {
                try {
                    if (c != null) c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        } finally {
            if (lab != null) lab.down();
        }
    }

    private static HealthSnapshot allHealthy() {
        return FailoverNode.allHealthy(topology);
    }

    private static final String RESTORE_DNS = """
              - {id: restore-dns, kind: drain-dns, to: "${from}", timeout: 10s}
            """;
    private static final String RESTORE_LB = """
              - {id: restore-lb, kind: drain-lb, action: restore, timeout: 10s}
            """;

    /** A runbook of these steps and rollback steps, as its file would hold it. */
    private static String runbook(String name, String steps, String rollback) {
        return "name: " + name + "\nscope: datacenter\nsteps:\n" + steps + (rollback.isEmpty() ? "" : "rollback:\n" + rollback);
    }

    private static Failover run(String runbook) throws InterruptedException {
        String id = failovers.start(new FailoverRequest(runbook, "east", "west", "hook test", false, false), "test").id();
        assertThat(failovers.awaitIdle(Duration.ofSeconds(60))).isTrue();
        Failover done = failovers.get(id);
        System.out.println(FailoverReport.of(done).text());
        return done;
    }

    /** Where checkout traffic goes: the served record and every HAProxy's checkout weights. */
    private static String edgeTraffic() {
        String served = new AuthoritativeDns(topology.dns().server()).query(topology.dns().checkoutName()).orElseThrow().ip();
        return "dns " + served + ", weights " + new CheckoutDrain(topology).weights();
    }

    private static String preHookFails() {
        return runbook("pre-hook-fails", """
                  - {id: announce, kind: http-hook, url: "%s", body: '{"text": "${from} -> ${to}"}', timeout: 5s, onFailure: rollback}
                  - {id: drain-dns, kind: drain-dns, to: "${to}", timeout: 10s, onFailure: rollback, undo: restore-dns}
                  - {id: drain-lb, kind: drain-lb, action: drain, from: "${from}", to: "${to}", timeout: 10s, onFailure: rollback, undo: restore-lb}
                """.formatted(failing.url("/pre")), RESTORE_DNS + RESTORE_LB);
    }

    @Test
    void a_aFailingPreHookRollsTheFailoverBackBeforeAnythingChanged() throws Exception {
        String before = edgeTraffic();
        int sentBefore = failing.received().size();

        Failover done = run("pre-hook-fails");

        assertThat(done.state()).isEqualTo(Failover.State.ROLLED_BACK);
        assertThat(done.reason()).contains("announce failed: refused before any change: pre-hook POST " + failing.url("/pre"))
                .contains("HTTP 500 hook receiver is down");
        assertThat(done.step("announce").state()).isEqualTo(TimelineStep.State.FAILED);
        assertThat(done.step("drain-dns").state()).isEqualTo(TimelineStep.State.SKIPPED);
        assertThat(done.step("drain-lb").state()).isEqualTo(TimelineStep.State.SKIPPED);
        assertThat(edgeTraffic()).isEqualTo(before);
        // One attempt: a pre-hook retries only as its step's retries say (none here).
        assertThat(failing.received()).hasSize(sentBefore + 1);
        assertThat(failing.received().getLast().body()).isEqualTo("{\"text\": \"east -> west\"}");
        assertThat(events).anyMatch(e -> e.startsWith("hook.failed announce hook POST " + failing.url("/pre")));
    }

    private static String postHookFails() {
        return runbook("post-hook-fails", """
                  - {id: drain-dns, kind: drain-dns, to: "${to}", timeout: 10s, onFailure: rollback, undo: restore-dns}
                  - {id: tell-ops, kind: http-hook, url: "%s", body: '{"text": "moved to ${to}"}', timeout: 5s, onFailure: stop}
                  - {id: page, kind: notify, message: "checkout moved to ${to}", channels: [pager, slack]}
                  - {id: active-dc, kind: consul, kv: {key: "baton/%s/active", value: "${to}"}}
                  - {id: marker, kind: consul, kv: {key: "baton/last-runbook", value: "post-hook-fails"}}
                """.formatted(failing.url("/post"), topology.name()), RESTORE_DNS);
    }

    @Test
    void b_aFailingPostHookIsReportedAndTheFailoverGoesOnToNotifyAndConsul() throws Exception {
        Failover done = run("post-hook-fails");

        assertThat(done.state()).as(done.reason()).isEqualTo(Failover.State.SUCCEEDED);
        TimelineStep hook = done.step("tell-ops");
        assertThat(hook.state()).isEqualTo(TimelineStep.State.DONE);
        // A post-hook retries on its own (5xx): 1 + the step's retries (none) = 1 attempt.
        assertThat(hook.changes()).singleElement().asString()
                .startsWith("WARNING: post-hook POST " + failing.url("/post") + " failed: HTTP 500");
        assertThat(FailoverReport.of(done).text()).contains("WARNING: post-hook POST " + failing.url("/post") + " failed: HTTP 500");
        assertThat(events).anyMatch(e -> e.startsWith("hook.failed tell-ops hook POST " + failing.url("/post")));
        assertThat(edgeTraffic()).startsWith("dns " + topology.datacenter("west").orElseThrow().address());

        // PagerDuty got a v2 trigger event with the configured routing key; Slack got its text.
        RecordingServer.Received page = pagerDuty.received().getLast();
        assertThat(page.path()).isEqualTo("/v2/enqueue");
        assertThat(page.contentType()).isEqualTo("application/json");
        JsonNode event = JSON.readTree(page.body());
        assertThat(event.get("routing_key").asText()).isEqualTo("rk-test-123");
        assertThat(event.get("event_action").asText()).isEqualTo("trigger");
        assertThat(event.get("dedup_key").asText()).isEqualTo("baton-failover-" + done.id());
        assertThat(event.at("/payload/summary").asText()).startsWith("checkout moved to west | failover " + done.id());
        assertThat(event.at("/payload/source").asText()).isEqualTo("baton coordinator c-east");
        assertThat(event.at("/payload/severity").asText()).isEqualTo("warning");
        assertThat(JSON.readTree(slack.received().getLast().body()).get("text").asText()).startsWith("checkout moved to west");
        assertThat(done.step("page").changes()).anyMatch(l -> l.startsWith("post-PagerDuty hook POST " + pagerDuty.url("/v2/enqueue") + " answered HTTP 202"));

        // The active-DC document, with the primaries where the servers say they are (no shard moved), and the tags.
        try (ConsulDirector director = new ConsulDirector(config.consul(), topology)) {
            ActiveDc doc = director.current().orElseThrow();
            assertThat(doc.activeDc()).isEqualTo("west");
            assertThat(doc.shards()).isEqualTo(Map.of("s1", "east", "s2", "east"));
            assertThat(doc.failoverId()).isEqualTo(done.id());
            assertThat(director.tags()).containsEntry("west", List.of(ConsulDirector.ACTIVE)).containsEntry("east", List.of(ConsulDirector.STANDBY));
        }
        assertThat(consul.keys()).contains("baton/last-runbook");
        assertThat(done.step("marker").changes()).containsExactly("Consul " + consul.url() + " key baton/last-runbook: (absent) -> 'post-hook-fails'");
    }

    private static String unknownChannel() {
        return runbook("unknown-channel", """
                  - {id: tell, kind: notify, message: hi, channels: [slack, nope]}
                """, "");
    }

    @Test
    void c_aNotifyToAnUnknownChannelIsRefusedBeforeTheFailoverStarts() throws Exception {
        int before = failovers.list().size();
        assertThatThrownBy(() -> failovers.start(new FailoverRequest("unknown-channel", "east", "west", "unknown channel", false, false), "test"))
                .isInstanceOf(FailoverRefused.class)
                .hasMessageContaining("step tell: notify channel 'nope' is not configured (known: slack, pager, broken)");
        assertThat(failovers.list()).hasSize(before);
    }

    private static String consulGone() {
        return runbook("consul-gone", """
                  - {id: active-dc, kind: consul, kv: {key: "baton/%s/active", value: "${to}"}, timeout: 10s, onFailure: stop}
                """.formatted(topology.name()), "");
    }

    @Test
    void d_aConsulThatIsGoneFailsTheStepNamingIt() throws Exception {
        String url = consul.url();
        consul.close();
        consul = null;

        Failover done = run("consul-gone");

        assertThat(done.state()).isEqualTo(Failover.State.FAILED);
        assertThat(done.step("active-dc").error()).startsWith("Consul at " + url + " could not read key baton/" + topology.name() + "/active");
        assertThat(done.reason()).startsWith("active-dc failed: Consul at " + url);
    }
}
