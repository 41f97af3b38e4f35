package dev.baton.orchestrator.mysql;

import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The role and candidate judgments, on statuses as servers would report them. */
class LiveShardTest {
    private static final DbServer EAST = new DbServer("s1-east", "s1", "east", new Endpoint("127.0.1.1", 3306), Role.PRIMARY);
    private static final DbServer WEST = new DbServer("s1-west", "s1", "west", new Endpoint("127.0.2.1", 3306), Role.REPLICA);
    private static final Shard SHARD = new Shard("s1", 0, List.of(EAST, WEST));
    private static final Duration MAX_LAG = Duration.ofSeconds(1);

    @Test
    void theWritableServerThatDoesNotReplicateIsThePrimaryWhateverTheTopologySays() {
        LiveShard live = LiveShard.of(SHARD, List.of(replica(EAST, WEST.endpoint(), "0-102-5", 0L), primary(WEST, "0-102-5")));
        assertThat(live.primary().server()).isEqualTo(WEST);
        assertThat(live.others()).extracting(ServerStatus::server).containsExactly(EAST);
    }

    @Test
    void noneOrTwoWritablePrimariesAreRefusedByName() {
        assertThatThrownBy(() -> LiveShard.of(SHARD, List.of(primary(EAST, "0-101-5"), primary(WEST, "0-101-5"))))
                .hasMessage("shard s1 has 2 writable primaries: s1-east at 127.0.1.1:3306, s1-west at 127.0.2.1:3306");
        assertThatThrownBy(() -> LiveShard.of(SHARD, List.of(new ServerStatus.Down(EAST, "connection refused"),
                replica(WEST, EAST.endpoint(), "0-101-5", 0L))))
                .hasMessage("shard s1 has no writable primaries; unreachable: s1-east (connection refused)");
    }

    @Test
    void aCaughtUpReplicaOfThePrimaryIsAGoodCandidate() {
        LiveShard live = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-9"), replica(WEST, EAST.endpoint(), "0-101-9", 0L)));
        assertThat(live.candidateProblems(WEST, MAX_LAG)).isEmpty();
    }

    @Test
    void everyProblemOfACandidateIsListed() {
        ServerStatus.Up stale = new ServerStatus.Up(WEST, 102, true, GtidPosition.parse("0-102-10"), GtidPosition.parse("0-101-9"),
                GtidPosition.parse("0-102-10"), GtidPosition.parse("0-101-9,0-102-10"), false, false,
                Optional.of(new ServerStatus.Replication(false, false, "", Optional.empty(), new Endpoint("127.0.9.9", 3306),
                        "No", "error connecting", "")));
        LiveShard live = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-9"), stale));
        assertThat(live.candidateProblems(WEST, MAX_LAG)).containsExactly(
                "candidate s1-west at 127.0.2.1:3306 has errant GTIDs the primary s1-east never had: 0-102-10",
                "candidate s1-west at 127.0.2.1:3306 has log_slave_updates OFF",
                "candidate s1-west at 127.0.2.1:3306 replicates from 127.0.9.9:3306, not from the primary s1-east at 127.0.1.1:3306",
                "candidate s1-west at 127.0.2.1:3306 replication IO thread is not running (): error connecting",
                "candidate s1-west at 127.0.2.1:3306 replication SQL thread is not running",
                "candidate s1-west at 127.0.2.1:3306 does not replicate with GTID (Using_Gtid No)");
    }

    @Test
    void aLaggingCandidateSaysHowFarBehind() {
        LiveShard live = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-20"), replica(WEST, EAST.endpoint(), "0-101-8", 7L)));
        assertThat(live.candidateProblems(WEST, MAX_LAG)).containsExactly(
                "candidate s1-west at 127.0.2.1:3306 is lagging 7 s behind the primary (limit 1 s), 12 transactions behind");
    }

    @Test
    void aStaleSecondsBehindWithNothingLeftToApplyIsNotLag() {
        // Seen in CI: Seconds_Behind_Master 5 for a replica holding every transaction of the primary.
        LiveShard live = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-20"), replica(WEST, EAST.endpoint(), "0-101-20", 5L)));
        assertThat(live.candidateProblems(WEST, MAX_LAG)).isEmpty();
    }

    @Test
    void onlyACandidateThatIsBehindOrReconnectingIsCatchingUp() {
        LiveShard lagging = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-20"), replica(WEST, EAST.endpoint(), "0-101-8", 7L)));
        assertThat(lagging.candidateReadiness(WEST, MAX_LAG)).extracting(CandidateProblem::catchingUp).containsExactly(true);

        // Just after a repoint (START SLAVE), the IO thread connects for a moment without an error.
        LiveShard reconnecting = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-9"), withIo(WEST, "Connecting to master", "")));
        assertThat(reconnecting.candidateReadiness(WEST, MAX_LAG)).singleElement().satisfies(p -> {
            assertThat(p.text()).isEqualTo("candidate s1-west at 127.0.2.1:3306 replication IO thread is not running (Connecting to master)");
            assertThat(p.catchingUp()).isTrue();
        });
        // Connecting again and again, with an error: it will not clear by itself.
        LiveShard failing = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-9"),
                withIo(WEST, "Connecting to master", "error connecting to master 'repl@127.0.1.1:3306' - retry-time: 60")));
        assertThat(failing.candidateReadiness(WEST, MAX_LAG)).extracting(CandidateProblem::catchingUp).containsExactly(false);
        // A stopped IO thread is stopped.
        LiveShard stopped = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-9"), withIo(WEST, "", "")));
        assertThat(stopped.candidateReadiness(WEST, MAX_LAG)).extracting(CandidateProblem::catchingUp).containsExactly(false);
    }

    @Test
    void aCandidateBehindAndBrokenIsNotOnlyCatchingUp() {
        ServerStatus.Up behindAndErrant = new ServerStatus.Up(WEST, 102, true, GtidPosition.parse("0-102-10"), GtidPosition.parse("0-101-8"),
                GtidPosition.parse("0-101-8"), GtidPosition.parse("0-101-8,0-102-10"), true, false,
                Optional.of(new ServerStatus.Replication(true, true, "Waiting for master to send event", Optional.of(7L), EAST.endpoint(),
                        "Slave_Pos", "", "")));
        LiveShard live = LiveShard.of(SHARD, List.of(primary(EAST, "0-101-20"), behindAndErrant));
        assertThat(live.candidateReadiness(WEST, MAX_LAG)).extracting(CandidateProblem::catchingUp).containsExactly(false, true);
        assertThat(live.candidateProblems(WEST, MAX_LAG)).containsExactlyElementsOf(
                live.candidateReadiness(WEST, MAX_LAG).stream().map(CandidateProblem::text).toList());
    }

    private static ServerStatus.Up withIo(DbServer server, String ioState, String ioError) {
        GtidPosition pos = GtidPosition.parse("0-101-9");
        return new ServerStatus.Up(server, 102, true, pos, pos, pos, pos, true, false,
                Optional.of(new ServerStatus.Replication(false, true, ioState, Optional.empty(), EAST.endpoint(), "Slave_Pos", ioError, "")));
    }

    private static ServerStatus.Up primary(DbServer server, String position) {
        GtidPosition pos = GtidPosition.parse(position);
        return new ServerStatus.Up(server, 100 + (server == EAST ? 1 : 2), false, pos, pos, pos, pos, true, true, Optional.empty());
    }

    private static ServerStatus.Up replica(DbServer server, Endpoint master, String position, long secondsBehind) {
        GtidPosition pos = GtidPosition.parse(position);
        return new ServerStatus.Up(server, 100 + (server == EAST ? 1 : 2), true, pos, pos, pos, pos, true, false,
                Optional.of(new ServerStatus.Replication(true, true, "Waiting for master to send event", Optional.of(secondsBehind),
                        master, "Slave_Pos", "", "")));
    }
}
