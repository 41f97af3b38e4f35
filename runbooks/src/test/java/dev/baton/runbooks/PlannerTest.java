package dev.baton.runbooks;

import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanJson;
import dev.baton.runbooks.plan.PlanRefused;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.PlanText;
import dev.baton.runbooks.plan.PlannedStep;
import dev.baton.runbooks.plan.Planner;
import dev.baton.runbooks.topology.TopologyView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PlannerTest {
    private final Planner planner = new Planner(Topologies.twoByEight());
    private final Runbook evacuation = Runbooks.shipped("planned-evacuation").orThrow();

    private static Runbook runbook(String steps) {
        return Runbooks.check("test.yaml", "name: t\nparameters:\n  hook: http://127.0.0.1:9/hook\nsteps:\n" + steps).orThrow();
    }

    @Test
    void anUnknownDcInTheRequestIsNamedWithTheKnownOnes() {
        PlanRefused refused = catchThrowableOfType(PlanRefused.class, () -> planner.plan(evacuation, PlanRequest.of("east", "north")));
        // One problem, not one per step that uses ${to}.
        assertThat(refused.problems()).containsExactly("the request's 'to' is unknown DC 'north'; the topology has east, west");
    }

    @Test
    void fromAndToMustDiffer() {
        assertThatThrownBy(() -> planner.plan(evacuation, PlanRequest.of("east", "east")))
                .hasMessageContaining("'from' and 'to' are both east");
    }

    @Test
    void aDcWithoutPrimariesHasNothingToEvacuate() {
        assertThatThrownBy(() -> planner.plan(evacuation, PlanRequest.of("west", "east")))
                .hasMessageContaining("DC west holds no shard primaries; nothing to move");
    }

    @Test
    void requestedShardsMustExistAndHaveTheirPrimaryInTheSource() {
        TopologyView mixed = new TopologyView(Topologies.twoByEight().datacenters(), Topologies.twoByEight().shards().stream()
                .map(s -> s.name().equals("s2") ? new TopologyView.Shard("s2", s.servers(), "west") : s).toList(),
                Topologies.twoByEight().records());
        PlanRefused refused = catchThrowableOfType(PlanRefused.class, () -> new Planner(mixed).plan(evacuation,
                new PlanRequest("east", "west", List.of("s1", "s2", "s9"), "", Map.of())));
        assertThat(refused.problems()).contains("shard s2 has its primary in west, not in east",
                "the request names unknown shard 's9'; the topology has s1, s2, s3, s4, s5, s6, s7, s8");
    }

    @Test
    void aPlanTouchingWhatTheTopologyLacksIsRefusedWithEveryReason() {
        Runbook rb = runbook("""
                  - {id: dns, kind: drain-dns, record: shop.example.test, to: "${to}"}
                  - {id: verify, kind: verify-checkout, dc: north}
                  - {id: flip, kind: flip-writer, shards: [s1, s42]}
                """);
        PlanRefused refused = catchThrowableOfType(PlanRefused.class, () -> planner.plan(rb, PlanRequest.of("east", "west")));
        assertThat(refused.problems()).containsExactly(
                "step dns (steps[0]): DNS record 'shop.example.test' is not in the topology; it has checkout.example.test.",
                "step verify (steps[1]): dc is DC 'north', which is not in the topology; it has east, west",
                "step flip (steps[2]): shard 's42' is not in the topology; it has s1, s2, s3, s4, s5, s6, s7, s8");
    }

    @Test
    void aShardWithoutAServerInTheTargetOrAFrontendIsRefused() {
        TopologyView three = Topologies.of(List.of("east", "west", "south"), 2, "east");
        TopologyView noSouthServer = new TopologyView(three.datacenters(), three.shards().stream()
                .map(s -> new TopologyView.Shard(s.name(), s.servers().stream().filter(v -> !v.dc().equals("south")).toList(), s.primaryDc()))
                .toList(), three.records());
        assertThatThrownBy(() -> new Planner(noSouthServer).plan(evacuation, PlanRequest.of("east", "south")))
                .hasMessageContaining("step switch-shards (steps[3]): shard s1 has no server in DC south")
                .hasMessageContaining("shard s2 has no server in DC south");
        TopologyView noCheckout = new TopologyView(three.datacenters().stream().map(d -> new TopologyView.Dc(d.name(), d.address(),
                d.haproxyRuntime(), d.checkoutApp(), null, d.writers())).toList(), three.shards(), three.records());
        assertThatThrownBy(() -> new Planner(noCheckout).plan(evacuation, PlanRequest.of("east", "west")))
                .hasMessageContaining("step drain-lb (steps[2]): DC east has no checkout frontend in the topology");
    }

    @Test
    void concurrencySplitsTheShardsIntoParallelGroupsInOrder() {
        Plan plan = planner.plan(runbook("  - {id: move, kind: switch-shards, concurrency: 3, pointOfNoReturn: true}\n"),
                PlanRequest.of("east", "west"));
        Action.SwitchShards s = (Action.SwitchShards) plan.steps().getFirst().action();
        assertThat(s.groups()).extracting(g -> g.stream().map(Action.ShardMove::shard).toList())
                .containsExactly(List.of("s1", "s2", "s3"), List.of("s4", "s5", "s6"), List.of("s7", "s8"));
    }

    @Test
    void parametersHaveDefaultsAndRequestsOverrideThemButNotInventThem() {
        Runbook rb = runbook("  - {id: hook, kind: http-hook, url: \"${hook}\", body: '{\"text\": \"${from} -> ${to}: ${reason}\"}'}\n");
        Plan plan = planner.plan(rb, new PlanRequest("east", "west", List.of(), "drill", Map.of("hook", "https://hooks.example/x")));
        assertThat(plan.steps().getFirst().action()).isEqualTo(new Action.Call("POST", "https://hooks.example/x", "{\"text\": \"east -> west: drill\"}"));
        assertThatThrownBy(() -> planner.plan(rb, new PlanRequest("east", "west", List.of(), "", Map.of("hok", "x"))))
                .hasMessageContaining("parameter 'hok' is not declared by runbook t (declared: [hook])");
    }

    @Test
    void consulStepsResolveTheirKeysAndDc() {
        Plan plan = planner.plan(runbook("""
                  - {id: kv, kind: consul, kv: {key: "baton/active-dc", value: "${to}"}}
                  - {id: tags, kind: consul, catalog: {service: checkout, tags: [active, "dc-${to}"]}}
                """), PlanRequest.of("east", "west"));
        assertThat(plan.steps()).extracting(s -> s.action()).containsExactly(new Action.ConsulKv("baton/active-dc", "west"),
                new Action.ConsulTags("checkout", "west", List.of("active", "dc-west")));
    }

    @Test
    void aConsulStepIsUndoneByAConsulRestoreThatPlansAndPrints() {
        Runbook rb = runbook("""
                  - {id: kv, kind: consul, kv: {key: "baton/active-dc", value: "${to}"}, onFailure: rollback, undo: kv-back}
                rollback:
                  - {id: kv-back, kind: consul, action: restore}
                """);
        Plan plan = planner.plan(rb, PlanRequest.of("east", "west"));
        assertThat(plan.undoOf(plan.steps().getFirst())).map(PlannedStep::action).contains(new Action.ConsulRestore());
        assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);
        assertThat(PlanText.render(plan)).contains("Consul: the key's value or the tags the undone step recorded put back");
    }

    @Test
    void aDrainDnsRestorePutsBackWhatTheUndoneStepFoundAndGoesItsWay() {
        Plan plan = planner.plan(runbook("""
                  - {id: signed, kind: drain-dns, via: rfc2136, onFailure: rollback, undo: dns-back}
                rollback:
                  - {id: dns-back, kind: drain-dns, action: restore}
                """), PlanRequest.of("east", "west"));
        assertThat(plan.undoOf(plan.steps().getFirst())).map(PlannedStep::action)
                .contains(new Action.RestoreRecord(Topologies.twoByEight().records().getFirst(), Step.DnsVia.RFC2136));
        assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);
        assertThat(PlanText.render(plan)).contains("""
                - dns-back [drain-dns] timeout 30s, on failure stop
                     DNS checkout.example.test. (zone example.test.) A -> the address the undone step found there (TTL 1)
                       via RFC 2136 UPDATE to 127.0.0.1:5300 (TCP), signed with TSIG key baton-lab. (hmac-sha256)
                """);
    }

    @Test
    void drainDnsGoesViaTheApiUnlessItSaysRfc2136AndAnUndoGoesTheWayOfTheStepItUndoes() {
        Plan plan = planner.plan(runbook("""
                  - {id: api, kind: drain-dns, onFailure: rollback, undo: back-api}
                  - {id: signed, kind: drain-dns, via: rfc2136, onFailure: rollback, undo: back-signed}
                  - {id: mixed, kind: drain-dns, via: rfc2136, onFailure: rollback, undo: back-by-api}
                rollback:
                  - {id: back-api, kind: drain-dns, to: "${from}"}
                  - {id: back-signed, kind: drain-dns, to: "${from}"}
                  - {id: back-by-api, kind: drain-dns, to: "${from}", via: api}
                """), PlanRequest.of("east", "west"));
        assertThat(plan.steps()).extracting(s -> ((Action.PointRecord) s.action()).via())
                .containsExactly(Step.DnsVia.API, Step.DnsVia.RFC2136, Step.DnsVia.RFC2136);
        assertThat(plan.rollback()).extracting(s -> ((Action.PointRecord) s.action()).via())
                .containsExactly(Step.DnsVia.API, Step.DnsVia.RFC2136, Step.DnsVia.API);
        assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);

        // The plan names the server, port, zone and key each way talks to; never a secret (the view has none).
        String text = PlanText.render(plan);
        assertThat(text).contains("""
                2. signed [drain-dns] timeout 30s, on failure rollback, undo back-signed
                     DNS checkout.example.test. (zone example.test.) A -> 127.0.2.1 (DC west, TTL 1)
                       via RFC 2136 UPDATE to 127.0.0.1:5300 (TCP), signed with TSIG key baton-lab. (hmac-sha256)
                """).contains("""
                - back-api [drain-dns] timeout 30s, on failure stop
                     DNS checkout.example.test. (zone example.test.) A -> 127.0.1.1 (DC east, TTL 1)
                       via the PowerDNS HTTP API at http://127.0.0.1:8081
                """);
    }

    @Test
    void rfc2136WithoutATsigKeyAndAnUndoOfTwoWaysAreRefusedAtPlanning() {
        TopologyView world = Topologies.twoByEight();
        TopologyView.DnsRecord record = world.records().getFirst();
        TopologyView keyless = new TopologyView(world.datacenters(), world.shards(), List.of(new TopologyView.DnsRecord(record.zone(),
                record.name(), record.ttl(), new TopologyView.DnsServer(Topologies.DNS.address(), Topologies.DNS.api(), null))));
        Runbook signed = runbook("""
                  - {id: dns, kind: drain-dns, via: rfc2136, onFailure: rollback, undo: back}
                rollback:
                  - {id: back, kind: drain-dns, to: "${from}"}
                """);
        PlanRefused refused = catchThrowableOfType(PlanRefused.class, () -> new Planner(keyless).plan(signed, PlanRequest.of("east", "west")));
        assertThat(refused.problems()).containsExactly(
                "step dns (steps[0]): via rfc2136 signs its updates of zone example.test. with the topology's TSIG key, but the DNS"
                        + " server 127.0.0.1:5300 has none (dns.tsig); use via: api or add the key",
                "step back (rollback[0]): via rfc2136 signs its updates of zone example.test. with the topology's TSIG key, but the DNS"
                        + " server 127.0.0.1:5300 has none (dns.tsig); use via: api or add the key");
        // The API way needs no key.
        assertThat(new Planner(keyless).plan(runbook("  - {id: dns, kind: drain-dns}\n"), PlanRequest.of("east", "west")).steps())
                .hasSize(1);

        Runbook twoWays = runbook("""
                  - {id: one, kind: drain-dns, onFailure: rollback, undo: back}
                  - {id: two, kind: drain-dns, via: rfc2136, onFailure: rollback, undo: back}
                rollback:
                  - {id: back, kind: drain-dns, to: "${from}"}
                """);
        assertThatThrownBy(() -> planner.plan(twoWays, PlanRequest.of("east", "west")))
                .hasMessageContaining("step back (rollback[0]): it undoes drain-dns steps that go via [api, rfc2136]; say which with"
                        + " via: api or via: rfc2136");
    }

    @Test
    void everyKindParsesAndPlans() {
        Runbook rb = runbook("""
                  - id: pre
                    kind: precheck
                    conditions:
                      - window: {days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", zone: Europe/Paris}
                      - dc-healthy: ${to}
                  - {id: ok, kind: approval, prompt: "Evacuate ${from}?"}
                  - {id: dns, kind: drain-dns, to: "${to}", onFailure: rollback, undo: back}
                  - {id: lb, kind: drain-lb, action: undrain, retries: {attempts: 2, backoff: 200ms}}
                  - {id: move, kind: switch-shards, concurrency: 4, pointOfNoReturn: true}
                  - {id: flip, kind: flip-writer, shards: [s1]}
                  - {id: kv, kind: consul, kv: {key: k, value: v}}
                  - {id: hook, kind: http-hook, url: "${hook}", method: put}
                  - {id: wait, kind: wait-until, timeout: 30s, condition: {checkout-ok: "${to}"}, interval: 1s}
                  - {id: verify, kind: verify-checkout}
                  - {id: tell, kind: notify, message: done, channels: [slack]}
                rollback:
                  - {id: back, kind: drain-dns, to: "${from}"}
                """);
        assertThat(rb.steps()).extracting(s -> s.kind()).containsExactlyElementsOf(Step.Kinds.ALL);
        Plan plan = planner.plan(rb, PlanRequest.of("east", "west"));
        assertThat(plan.steps()).extracting(s -> s.action().getClass().getSimpleName()).containsExactly("Check", "Approve",
                "PointRecord", "SetWeights", "SwitchShards", "FlipWriters", "ConsulKv", "Call", "Wait", "Checkout", "Message");
        assertThat(plan.steps().get(3).retry().backoffBefore(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);
    }
}
