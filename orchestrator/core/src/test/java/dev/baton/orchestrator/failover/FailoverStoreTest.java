package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.runbook.TopologyViews;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.Planner;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store's fence on a real ZooKeeper (Curator's TestingServer): once a new leader claimed a failover, the old one's writes fail. */
class FailoverStoreTest {

    private static ZooKeeperSession session(TestingServer zk) {
        return new ZooKeeperSession(new ZooKeeperConfig(zk.getConnectString(), "store", 4000)).start(10_000);
    }

    /** A plan of the shipped shard-switchover runbook, as the coordinator persists it with a failover. */
    static final Plan RUNBOOK = new Planner(TopologyViews.of(ConfigLoaderTest.topology()))
            .plan(Runbooks.shipped("shard-switchover").orThrow(), new PlanRequest("east", "west", List.of("s1"), "test", Map.of()));

    private static Failover failover(String id) {
        FailoverPlan plan = new FailoverPlan("east", "west", new TrafficPlan(null, TrafficPlan.LbAction.DRAIN, null, List.of()),
                List.of(new ShardPlan("s1", null, null, List.of(), List.of())), List.of());
        return new Failover(id, new FailoverRequest(null, "east", "west", "test", false, false), "test", "c-east",
                Failover.State.RUNNING, Instant.now(), null, RUNBOOK, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", plan, Evacuation.pendingTimeline(RUNBOOK), TrafficOutcome.NONE,
                List.of(ShardProgress.pending("s1")), "");
    }

    @Test
    void aClaimFencesOffTheWritesOfTheCoordinatorThatRanTheFailoverBefore() throws Exception {
        try (TestingServer zk = new TestingServer(true); ZooKeeperSession s1 = session(zk); ZooKeeperSession s2 = session(zk)) {
            FailoverStore lost = new FailoverStore(s1);
            FailoverStore next = new FailoverStore(s2);
            List<String> problems = new CopyOnWriteArrayList<>();
            Failover f = failover("f-1");
            lost.create(f);
            ShardProgress held = ShardProgress.pending("s1").withStep(new StepRecord("hold", null, Instant.now(), null));
            lost.updateShard("f-1", held, problems::add);
            lost.update(f.withStep(f.step("precheck").started(Instant.now())));
            await().atMost(Duration.ofSeconds(5)).until(() -> next.get("f-1").orElseThrow().shards().getFirst().equals(held));

            Failover claimed = next.claim("f-1", "c-west").orElseThrow();
            assertThat(claimed.step("precheck").state()).isEqualTo(TimelineStep.State.RUNNING);

            // Late writes of the lost leader, as Curator replays them on its next session: refused, whatever their order.
            assertThatThrownBy(() -> lost.update(f.finish(Failover.State.SUCCEEDED, "", f.shards())))
                    .hasMessage("cannot persist failover f-1 in ZooKeeper: another coordinator has taken it over");
            lost.updateShard("f-1", held.withStep(new StepRecord("fence", null, Instant.now(), null)), problems::add);
            await().atMost(Duration.ofSeconds(5)).until(() -> !problems.isEmpty());
            assertThat(problems).containsExactly("cannot persist shard s1 of failover f-1 in ZooKeeper: another coordinator has taken it over");

            ShardProgress rolledBack = new ShardProgress("s1", ShardProgress.State.ROLLED_BACK, held.steps(), "reconciled", null, 12.0);
            next.updateShard("f-1", rolledBack, problems::add);
            next.update(claimed.finish(Failover.State.ROLLED_BACK, "taken over", List.of(rolledBack)));
            Failover stored = next.get("f-1").orElseThrow();
            assertThat(stored.state()).isEqualTo(Failover.State.ROLLED_BACK);
            assertThat(stored.shards()).containsExactly(rolledBack);
            // What a new leader resumes from: the plan as it was accepted, not the runbook's YAML.
            assertThat(stored.runbook()).isEqualTo(RUNBOOK);
            assertThat(stored.runbookSha256()).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
            assertThat(problems).hasSize(1);
        }
    }

    @Test
    void runningListsWhatRunsHoweverManyEndedAndFollowsFailoversThatAnotherCoordinatorEndsOrStarts() throws Exception {
        try (TestingServer zk = new TestingServer(true); ZooKeeperSession s1 = session(zk); ZooKeeperSession s2 = session(zk)) {
            FailoverStore leader = new FailoverStore(s1);
            FailoverStore standby = new FailoverStore(s2);
            for (int i = 0; i < 5; i++) {
                Failover f = failover("f-old-" + i);
                leader.create(f);
                leader.update(f.finish(Failover.State.SUCCEEDED, "", f.shards()));
            }
            Failover live = failover("f-live");
            leader.create(live);
            // The standby reads every record once; the ended ones it does not read again.
            assertThat(standby.running()).extracting(Failover::id).containsExactly("f-live");
            Failover next = failover("f-next");
            leader.update(live.finish(Failover.State.ROLLED_BACK, "", live.shards()));
            leader.create(next);
            // One it saw running has ended since, one is new: both seen as they stand now.
            assertThat(standby.running()).extracting(Failover::id).containsExactly("f-next");
            assertThat(standby.running().getFirst().shards()).containsExactly(ShardProgress.pending("s1"));
            leader.update(next.finish(Failover.State.SUCCEEDED, "", next.shards()));
            assertThat(standby.running()).isEmpty();
            assertThat(standby.list()).hasSize(7);
        }
    }

    @Test
    void aListOfTheNewestReadsOnlyThoseAndTheIdsSayWhichTheyAre() throws Exception {
        try (TestingServer zk = new TestingServer(true); ZooKeeperSession s1 = session(zk)) {
            FailoverStore store = new FailoverStore(s1);
            // Written out of order: the ids' start times decide, newest first.
            for (String id : List.of("f-20261202-090000-0002", "f-20261203-080000-0003", "f-20261201-230000-0001")) {
                Failover f = failover(id);
                store.create(f);
                store.update(f.finish(Failover.State.SUCCEEDED, "", f.shards()));
            }
            assertThat(store.list(2)).extracting(Failover::id).containsExactlyInAnyOrder("f-20261203-080000-0003", "f-20261202-090000-0002");
            assertThat(store.list(5000)).hasSize(3);
            assertThat(store.list()).hasSize(3);
        }
    }
}
