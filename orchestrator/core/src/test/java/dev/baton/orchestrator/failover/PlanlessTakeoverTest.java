package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Endpoint;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A failover left RUNNING by a Baton from before runbook plans (its record has none), on a real ZooKeeper
 * (Curator's TestingServer): the new leader ends it FAILED saying why, instead of failing on it and leaving
 * it RUNNING, which would refuse every new failover for good.
 */
class PlanlessTakeoverTest {
    @TempDir
    Path dir;

    @Test
    void aLeaderEndsAPlanlessFailoverFailedAndFreesTheLock() throws Exception {
        try (TestingServer zk = new TestingServer(true)) {
            ConfigFile file = new ConfigFile(ConfigLoaderTest.topology(), null,
                    List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", 9))),
                    new ZooKeeperConfig(zk.getConnectString(), "planless", 4000), List.of(), List.of(), "audit.jsonl");
            ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
            CoordinatorConfig config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
            FailoverPlan plan = new FailoverPlan("east", "west", new TrafficPlan(null, TrafficPlan.LbAction.DRAIN, null, List.of()),
                    List.of(new ShardPlan("s1", null, null, List.of(), List.of())), List.of());
            Failover old = new Failover("f-old", new FailoverRequest(null, "east", "west", "before runbooks", false, false), "sre",
                    "c-gone", Failover.State.RUNNING, Instant.now(), null, null, null, plan, List.of(), TrafficOutcome.NONE,
                    List.of(ShardProgress.pending("s1")), "");
            try (ZooKeeperSession gone = new ZooKeeperSession(config.zookeeper()).start(10_000)) {
                new FailoverStore(gone).create(old);
            }

            try (FailoverNode node = FailoverNode.start(config, "c-east", SwitchoverOptions.defaults(),
                    () -> FailoverNode.allHealthy(config.topology()), step -> { })) {
                await().atMost(Duration.ofSeconds(20)).until(() -> node.failovers().get("f-old").state() != Failover.State.RUNNING);
                Failover ended = node.failovers().get("f-old");
                assertThat(ended.state()).isEqualTo(Failover.State.FAILED);
                assertThat(ended.reason()).startsWith("recorded by an older Baton without a runbook plan, so coordinator c-east"
                        + " cannot finish or undo it");
                assertThat(ended.finished()).isNotNull();
                assertThat(node.events()).anyMatch(e -> e.startsWith("failover.finished failover f-old FAILED: recorded by an older Baton"));
                // The one-failover lock is free again: a new failover is not refused on account of the old one.
                await().atMost(Duration.ofSeconds(5)).until(() -> new FailoverLock(node.session()).holder().isEmpty());
            }
        }
    }
}
