package dev.baton.runbooks;

import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.OnFailure;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanJson;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.PlanText;
import dev.baton.runbooks.plan.PlannedStep;
import dev.baton.runbooks.plan.Planner;
import dev.baton.runbooks.topology.TopologyView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShippedRunbooksTest {
    static final List<String> SHIPPED = Runbooks.SHIPPED;

    @ParameterizedTest
    @FieldSource("SHIPPED")
    void everyShippedRunbookIsValid(String name) {
        Checked checked = Runbooks.shipped(name);
        assertThat(checked.problems()).as(checked.report()).isEmpty();
        assertThat(checked.runbook().name()).isEqualTo(name);
    }

    @ParameterizedTest
    @FieldSource("SHIPPED")
    void everyShippedRunbookPlansAgainstTwoDcsOfEightShards(String name) {
        boolean back = name.equals("fail-back");
        TopologyView world = Topologies.of(List.of("east", "west"), 8, back ? "west" : "east");
        PlanRequest request = new PlanRequest(back ? "west" : "east", back ? "east" : "west",
                name.equals("shard-switchover") ? List.of("s3") : List.of(), "drill", Map.of());
        Plan plan = new Planner(world).plan(Runbooks.shipped(name).orThrow(), request);
        assertThat(plan.shards()).hasSize(name.equals("shard-switchover") ? 1 : 8);
        assertThat(PlanJson.read(PlanJson.write(plan))).isEqualTo(plan);
        assertThat(PlanText.render(plan)).doesNotContain("${").doesNotContain("null");
    }

    /** The same steps, in the same order, with the same rollback rules as the coordinator's FailoverStep.IN_ORDER. */
    @Test
    void plannedEvacuationMirrorsTheCoordinatorsEvacuation() {
        Plan plan = new Planner(Topologies.twoByEight()).plan(Runbooks.shipped("planned-evacuation").orThrow(),
                new PlanRequest("east", "west", List.of(), "drill", Map.of()));
        assertThat(plan.steps()).extracting(PlannedStep::id)
                .containsExactly("precheck", "drain-dns", "drain-lb", "switch-shards", "verify", "report");
        assertThat(plan.steps()).extracting(PlannedStep::pointOfNoReturn).containsExactly(false, false, false, true, false, false);
        // Before the point of no return a failure undoes the traffic steps; verify's failure is loud but undoes nothing.
        assertThat(plan.steps().get(1).onFailure()).isEqualTo(OnFailure.ROLLBACK);
        assertThat(plan.undoOf(plan.steps().get(1)).orElseThrow().action())
                .isEqualTo(new Action.RestoreRecord(Topologies.twoByEight().records().getFirst(), Step.DnsVia.API));
        assertThat(plan.steps().get(4).onFailure()).isEqualTo(OnFailure.CONTINUE);

        Action.PointRecord dns = (Action.PointRecord) plan.steps().get(1).action();
        assertThat(dns.record().name()).isEqualTo("checkout.example.test.");
        assertThat(dns.address()).isEqualTo("127.0.2.1");

        Action.SetWeights lb = (Action.SetWeights) plan.steps().get(2).action();
        assertThat(lb.haproxies()).extracting(Action.Weights::dc).containsExactly("east", "west");
        assertThat(lb.haproxies()).allSatisfy(h -> assertThat(h.after()).isEqualTo(Map.of("east", 0, "west", 100)));

        // Every shard at once, like the engine's switchoverAll; each one's writer repointed in both DCs' HAProxy.
        Action.SwitchShards switches = (Action.SwitchShards) plan.steps().get(3).action();
        assertThat(switches.groups()).hasSize(1);
        assertThat(switches.groups().getFirst()).hasSize(8).allSatisfy(m -> {
            assertThat(m.fence().dc()).isEqualTo("east");
            assertThat(m.candidate().dc()).isEqualTo("west");
            assertThat(m.flips()).extracting(Action.WriterFlip::dc).containsExactly("east", "west");
            assertThat(m.flips()).allSatisfy(f -> assertThat(f.target()).isEqualTo(m.candidate()));
        });
        Action.Checkout verify = (Action.Checkout) plan.steps().get(4).action();
        assertThat(verify.shards()).hasSize(8);
        assertThat(verify.app().host()).isEqualTo("127.0.2.1");
        assertThat(((Action.Message) plan.steps().get(5).action()).text())
                .isEqualTo("Evacuated east into west (s1,s2,s3,s4,s5,s6,s7,s8): drill");
    }

    @Test
    void failBackUndrainsEveryHaproxyToItsOwnApp() {
        Plan plan = new Planner(Topologies.of(List.of("east", "west"), 8, "west")).plan(Runbooks.shipped("fail-back").orThrow(),
                PlanRequest.of("west", "east"));
        Action.SetWeights lb = (Action.SetWeights) plan.steps().get(2).action();
        assertThat(lb.haproxies()).extracting(Action.Weights::after)
                .containsExactly(Map.of("east", 100, "west", 0), Map.of("east", 0, "west", 100));
    }

    @Test
    void shardSwitchoverMovesExactlyTheNamedShard() {
        var runbook = Runbooks.shipped("shard-switchover").orThrow();
        Planner planner = new Planner(Topologies.twoByEight());
        Plan plan = planner.plan(runbook, new PlanRequest("east", "west", List.of("s5"), "", Map.of()));
        Action.SwitchShards switches = (Action.SwitchShards) plan.steps().get(1).action();
        assertThat(switches.groups()).singleElement().satisfies(g -> assertThat(g).extracting(Action.ShardMove::shard).containsExactly("s5"));
        assertThatThrownBy(() -> planner.plan(runbook, PlanRequest.of("east", "west")))
                .hasMessageContaining("moves exactly one shard; the request names none");
    }

    /** A candidate still catching up from the previous move is waited for, bounded, before a precheck refuses. */
    @ParameterizedTest
    @FieldSource("SHIPPED")
    void everyShippedPrecheckWithALagConditionWaitsAFewSecondsForACandidateCatchingUp(String name) {
        Step.Precheck precheck = (Step.Precheck) Runbooks.shipped(name).orThrow().steps().getFirst();
        boolean lag = precheck.conditions().stream().anyMatch(Condition.MaxLag.class::isInstance);
        assertThat(lag).isEqualTo(!name.equals("emergency-failover"));
        assertThat(precheck.catchUpWait()).isEqualTo(lag ? Duration.ofSeconds(5) : Duration.ZERO);
        assertThat(precheck.catchUpWait()).isLessThanOrEqualTo(precheck.control().timeout().dividedBy(2));
    }

    @Test
    void anUnwrittenCatchUpWaitIsTheDefaultOrHalfAShorterTimeout() {
        String yaml = """
                name: waits
                steps:
                  - {id: long, kind: precheck, conditions: [max-lag: 1s]}
                  - {id: short, kind: precheck, timeout: 4s, conditions: [max-lag: 1s]}
                  - {id: none, kind: precheck, conditions: [dc-healthy: "${to}"]}
                """;
        List<Step> steps = Runbooks.check("waits.yaml", yaml).orThrow().steps();
        assertThat(steps).extracting(s -> ((Step.Precheck) s).catchUpWait())
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ZERO);
        Plan plan = new Planner(Topologies.twoByEight()).plan(Runbooks.check("waits.yaml", yaml).orThrow(), PlanRequest.of("east", "west"));
        assertThat(plan.steps()).extracting(s -> ((Action.Check) s.action()).catchUpWait())
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ZERO);
        assertThat(PlanText.render(plan)).contains("check every candidate lags at most 1s, waiting up to 5s for a candidate still catching up")
                .contains("check every candidate lags at most 1s, waiting up to 2s for a candidate still catching up")
                .contains("check DC west is HEALTHY\n");
    }

    @Test
    void aPlanPersistedBeforePrechecksCouldWaitChecksOnce() {
        assertThat(new Action.Check(List.of(), null).catchUpWait()).isZero();
    }

    @Test
    void unknownShippedNameListsTheShippedOnes() {
        assertThatThrownBy(() -> Runbooks.shipped("evacuate-all")).hasMessageContaining("planned-evacuation, emergency-failover");
    }
}
