package dev.baton.orchestrator.failover;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which refusals clear by themselves: only a plan whose every problem is a candidate catching up. */
class FailoverPlanTest {
    private static final TrafficPlan TRAFFIC = new TrafficPlan(null, TrafficPlan.LbAction.DRAIN, null, List.of());

    @Test
    void aPlanRefusedOnlyForCandidatesCatchingUpSaysSo() {
        assertThat(plan(List.of(), ready("s1"), catchingUp("s2"))).matches(FailoverPlan::onlyCatchingUp);
    }

    @Test
    void anyOtherProblemOrNoneIsNotOnlyCatchingUp() {
        assertThat(plan(List.of(), ready("s1"), ready("s2")).onlyCatchingUp()).as("no problem at all").isFalse();
        assertThat(plan(List.of(), catchingUp("s1"), stuck("s2")).onlyCatchingUp()).as("one needs a person").isFalse();
        assertThat(plan(List.of("shard s3: cannot be asked"), catchingUp("s1")).onlyCatchingUp()).as("a shard not asked").isFalse();
        assertThat(new ShardPlan("s1", null, null, List.of(), List.of(), true).catchingUp()).as("no problem to catch up from").isFalse();
    }

    private static FailoverPlan plan(List<String> problems, ShardPlan... shards) {
        return new FailoverPlan("east", "west", TRAFFIC, List.of(shards), problems);
    }

    private static ShardPlan ready(String shard) {
        return new ShardPlan(shard, null, null, List.of(), List.of());
    }

    private static ShardPlan catchingUp(String shard) {
        return new ShardPlan(shard, null, null, List.of(), List.of("candidate " + shard + "-west is lagging 3 s behind"), true);
    }

    private static ShardPlan stuck(String shard) {
        return new ShardPlan(shard, null, null, List.of(), List.of("candidate " + shard + "-west has errant GTIDs"), false);
    }
}
