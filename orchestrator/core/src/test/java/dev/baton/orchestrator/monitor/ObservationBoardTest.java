package dev.baton.orchestrator.monitor;

import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.health.CoordinatorObservation;
import dev.baton.orchestrator.health.DcReach;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two coordinators' boards on a real ZooKeeper (Curator's TestingServer). */
class ObservationBoardTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static CoordinatorObservation observation(String coordinator, String dc, Instant at, String... failures) {
        return new CoordinatorObservation(coordinator, dc, at, List.of(new DcReach("east", 3, List.of()),
                new DcReach("west", 3, List.of(failures))));
    }

    private static ZooKeeperSession session(TestingServer zk) {
        return new ZooKeeperSession(new ZooKeeperConfig(zk.getConnectString(), "board", 4000)).start(10_000);
    }

    @Test
    void eachCoordinatorSeesTheOthersObservationsWrittenOnChangeOrRefreshAndForgetsOneThatLeaves() throws Exception {
        List<CoordinatorObservation> seenByWest = new CopyOnWriteArrayList<>();
        List<CoordinatorObservation> seenByEast = new CopyOnWriteArrayList<>();
        List<String> goneForWest = new CopyOnWriteArrayList<>();
        try (TestingServer zk = new TestingServer(true); ZooKeeperSession westSession = session(zk);
             ObservationBoard west = new ObservationBoard(westSession, "c-west", seenByWest::add, goneForWest::add).start()) {
            ZooKeeperSession eastSession = session(zk);
            try (ObservationBoard east = new ObservationBoard(eastSession, "c-east", seenByEast::add, id -> { }).start()) {
                CoordinatorObservation first = observation("c-east", "east", T0);
                east.publish(first);
                await().atMost(Duration.ofSeconds(5)).until(() -> !seenByWest.isEmpty());
                assertThat(seenByWest.getLast()).isEqualTo(first);

                String node = ObservationBoard.PATH + "/c-east";
                int version = eastSession.client().checkExists().forPath(node).getVersion();
                east.publish(observation("c-east", "east", T0.plusSeconds(1)));
                CoordinatorObservation changed = observation("c-east", "east", T0.plusMillis(1500), "s1-west: refused");
                east.publish(changed);
                await().atMost(Duration.ofSeconds(5)).until(() -> seenByWest.getLast().equals(changed));
                assertThat(eastSession.client().checkExists().forPath(node).getVersion()).as("the unchanged one was not written")
                        .isEqualTo(version + 1);

                CoordinatorObservation refreshed = observation("c-east", "east", T0.plusMillis(1500).plus(ObservationBoard.REFRESH),
                        "s1-west: refused");
                east.publish(refreshed);
                await().atMost(Duration.ofSeconds(5)).until(() -> seenByWest.getLast().equals(refreshed));
                assertThat(seenByWest).as("each version seen once").containsExactly(first, changed, refreshed);

                west.publish(observation("c-west", "west", T0));
                await().atMost(Duration.ofSeconds(5)).until(() -> !seenByEast.isEmpty());
                assertThat(seenByWest).as("a board does not hand back its own observation").extracting(CoordinatorObservation::coordinator)
                        .containsOnly("c-east");
            } finally {
                // The session's end takes its ephemeral node with it: the other coordinator forgets it at once.
                eastSession.close();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> goneForWest.contains("c-east"));
        }
    }
}
