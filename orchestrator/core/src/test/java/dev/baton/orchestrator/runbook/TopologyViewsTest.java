package dev.baton.orchestrator.runbook;

import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanJson;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.PlanText;
import dev.baton.runbooks.plan.Planner;
import dev.baton.runbooks.topology.TopologyView;
import dev.baton.wire.Dns;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyViewsTest {
    private final Topology topology = ConfigLoaderTest.topology();

    @Test
    void everyDcShardServerFrontendAndTheCheckoutRecordCarryOver() {
        TopologyView view = TopologyViews.of(topology);
        assertThat(view.dcNames()).containsExactly("east", "west");
        assertThat(view.shard("s1").orElseThrow().primaryDc()).isEqualTo("east");
        assertThat(view.shard("s1").orElseThrow().serverIn("west").orElseThrow().id()).isEqualTo("s1-west");
        assertThat(view.dc("west").orElseThrow().writer("s1").orElseThrow())
                .isEqualTo(new TopologyView.WriterFrontend("s1", new TopologyView.Address("127.0.0.1", 1), "s1_writer", "primary"));
        assertThat(view.records()).containsExactly(new TopologyView.DnsRecord("example.test.", "checkout.example.test.", 1,
                new TopologyView.DnsServer(new TopologyView.Address("127.0.0.1", 1), "http://127.0.0.1:1", null)));
    }

    @Test
    void theTsigKeyIsNamedInThePlanButItsSecretNever() {
        Dns dns = topology.dns();
        Tsig key = new Tsig("baton-test.", "hmac-sha256", "c2VjcmV0LW5vdC10by1zaG93LWFueXdoZXJl");
        Topology signed = new Topology(topology.name(), topology.datacenters(), topology.shards(), new Dns(dns.zone(), dns.checkoutName(),
                dns.ttl(), dns.server(), dns.apiUrl(), dns.apiKey(), key), topology.zookeeper(), topology.credentials());
        TopologyView view = TopologyViews.of(signed);
        assertThat(view.records().getFirst().server().tsig()).isEqualTo(new TopologyView.TsigKey("baton-test.", "hmac-sha256"));
        Plan plan = new Planner(view).plan(Runbooks.check("t.yaml", """
                name: t
                steps:
                  - {id: dns, kind: drain-dns, via: rfc2136}
                """).orThrow(), PlanRequest.of("east", "west"));
        assertThat(PlanText.render(plan)).contains("signed with TSIG key baton-test. (hmac-sha256)").doesNotContain(key.secret());
        assertThat(PlanJson.write(plan)).doesNotContain(key.secret());
    }

    @Test
    void livePrimariesOverrideTheRecordedOnes() {
        TopologyView view = TopologyViews.of(topology, Map.of("s1", "west"));
        assertThat(view.shard("s1").orElseThrow().primaryDc()).isEqualTo("west");
        Plan plan = new Planner(view).plan(Runbooks.shipped("shard-switchover").orThrow(),
                new PlanRequest("west", "east", java.util.List.of("s1"), "", Map.of()));
        Action.SwitchShards s = (Action.SwitchShards) plan.steps().get(1).action();
        assertThat(s.groups().getFirst().getFirst().candidate().id()).isEqualTo("s1-east");
    }
}
