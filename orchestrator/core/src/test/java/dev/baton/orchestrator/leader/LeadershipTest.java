package dev.baton.orchestrator.leader;

import dev.baton.orchestrator.config.ZooKeeperConfig;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Leadership and the failover lock on a real ZooKeeper (Curator's TestingServer). */
class LeadershipTest {

    private static ZooKeeperSession session(TestingServer zk, String namespace) {
        return new ZooKeeperSession(new ZooKeeperConfig(zk.getConnectString(), namespace, 4000)).start(10_000);
    }

    @Test
    void exactlyOneLeadsAndTheOtherTakesOverWhenItLeaves() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             ZooKeeperSession s1 = session(zk, "elect"); ZooKeeperSession s2 = session(zk, "elect");
             Leadership one = new Leadership(s1, "one").start(); Leadership two = new Leadership(s2, "two").start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> one.isLeader() || two.isLeader());
            assertThat(one.isLeader() && two.isLeader()).isFalse();
            Leadership leader = one.isLeader() ? one : two;
            Leadership follower = leader == one ? two : one;
            await().atMost(Duration.ofSeconds(30)).until(() -> follower.leaderId().equals(Optional.of(leader.id())));

            leader.close();
            await().atMost(Duration.ofSeconds(30)).until(follower::isLeader);
            assertThat(follower.leaderId()).contains(follower.id());
        }
    }

    @Test
    void aLeaderThatLosesZooKeeperStopsLeadingBeforeItsSessionExpires() throws Exception {
        // TestingServer's default tick (100 ms) caps every session at 2 s; with a 2 s tick a 30 s session is granted, so
        // a leader that kept leading until its session expired is told apart from one that stops at once, with seconds to spare.
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, 2_000, -1);
        try (TestingServer zk = new TestingServer(spec, true);
             ZooKeeperSession s = new ZooKeeperSession(new ZooKeeperConfig(zk.getConnectString(), "lose", 30_000)).start(30_000);
             Leadership leadership = new Leadership(s, "solo").start()) {
            await().atMost(Duration.ofSeconds(30)).until(leadership::isLeader);
            Duration session = Duration.ofMillis(s.client().getZookeeperClient().getZooKeeper().getSessionTimeout());
            assertThat(session).as("negotiated session timeout").isGreaterThanOrEqualTo(Duration.ofSeconds(20));
            AtomicBoolean toldLost = new AtomicBoolean();
            leadership.onChange(leader -> {
                if (!leader) toldLost.set(true);
            });
            long cut = System.nanoTime();
            zk.stop();
            // SUSPENDED comes as soon as the connection drops; the session would expire only after `session`.
            Duration before = session.dividedBy(2);
            await().atMost(before).pollInterval(Duration.ofMillis(20)).until(() -> !leadership.isLeader());
            assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(before);
            assertThat(toldLost).isTrue();

            zk.restart();
            await().atMost(Duration.ofSeconds(30)).until(leadership::isLeader);
        }
    }

    @Test
    void oneFailoverLeaseAtATimeAndTheRefusalNamesItsHolder() throws Exception {
        try (TestingServer zk = new TestingServer(true);
             ZooKeeperSession s1 = session(zk, "lock"); ZooKeeperSession s2 = session(zk, "lock")) {
            FailoverLock first = new FailoverLock(s1);
            FailoverLock second = new FailoverLock(s2);
            Lease lease = first.tryAcquire("f-1").orElseThrow();
            assertThat(second.tryAcquire("f-2")).isEmpty();
            assertThat(second.holder()).contains("f-1");
            lease.close();
            Lease next = second.tryAcquire("f-2").orElseThrow();
            assertThat(first.holder()).contains("f-2");
            next.close();
        }
    }

    @Test
    void aDeadCoordinatorsLeaseGoesWithItsSession() throws Exception {
        try (TestingServer zk = new TestingServer(true); ZooKeeperSession survivor = session(zk, "dead")) {
            ZooKeeperSession dying = session(zk, "dead");
            assertThat(new FailoverLock(dying).tryAcquire("f-dead")).isPresent();
            dying.close();
            assertThat(new FailoverLock(survivor).tryAcquire("f-next")).isPresent();
        }
    }
}
