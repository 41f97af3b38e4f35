package dev.baton.orchestrator.switchover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Every refusal comes before anything changed: the servers and every HAProxy are checked afterwards. */
class SwitchoverRefusalTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Sql sql;
    static SwitchoverEngine engine;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        topology = lab.topology();
        sql = new Sql(topology.credentials());
        engine = new SwitchoverEngine(topology, SwitchoverOptions.defaults());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void unknownShardListsTheKnownOnes() {
        assertRefusedWithNothingChanged("s9", "west", SwitchoverRefused.Kind.UNKNOWN_SHARD, "unknown shard 's9'", "s1, s2");
    }

    @Test
    void unknownDcListsTheKnownOnes() {
        assertRefusedWithNothingChanged("s1", "north", SwitchoverRefused.Kind.UNKNOWN_DC, "unknown DC 'north'", "east, west");
        assertThatThrownBy(() -> engine.switchoverAll("north")).isInstanceOf(SwitchoverRefused.class)
                .hasMessageContaining("east, west");
    }

    @Test
    void primaryAlreadyInTheTargetDc() {
        assertRefusedWithNothingChanged("s1", "east", SwitchoverRefused.Kind.ALREADY_THERE, "s1-east", "already in east");
    }

    @Test
    void aDryRunPassesEveryStepBeforeTheHoldAndChangesNothing() throws Exception {
        List<String> before = snapshot();
        SwitchoverResult one = engine.check("s1", "west");
        assertThat(one.outcome()).as(one.reason()).isEqualTo(Outcome.CHECKED);
        assertThat(one).extracting(SwitchoverResult::fromServer, SwitchoverResult::toServer).containsExactly("s1-east", "s1-west");
        assertThat(one.steps()).extracting(StepTiming::name).containsExactly("precheck", "connect");
        assertThat(one.writePauseMs()).isZero();
        assertThat(engine.checkAll("west")).extracting(SwitchoverResult::shard, SwitchoverResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("s1", Outcome.CHECKED), org.assertj.core.groups.Tuple.tuple("s2", Outcome.CHECKED));
        assertThat(engine.checkAll("east")).as("every primary is in east already").isEmpty();
        assertThat(snapshot()).isEqualTo(before);
        // Everything it opened is closed: no session of ours is left on the primary.
        await().atMost(Duration.ofSeconds(5)).until(() -> sql.adminQuery(server("s1", "east").endpoint(),
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = '" + topology.credentials().adminUser()
                        + "' AND ID <> CONNECTION_ID()").equals("0"));
    }

    @Test
    void laggingCandidate() throws Exception {
        DbServer west = server("s1", "west");
        sql.adminExecute(west.endpoint(), "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 30", "START SLAVE");
        try {
            sql.adminExecute(server("s1", "east").endpoint(), "INSERT INTO probe(shard) VALUES ('lag')");
            await().atMost(Duration.ofSeconds(10)).until(() -> secondsBehind(west) >= 2);
            assertRefusedWithNothingChanged("s1", "west", SwitchoverRefused.Kind.NOT_READY,
                    "candidate s1-west at " + west.endpoint() + " is lagging", "s behind the primary (limit 1 s), 1 transactions behind");
            // Lag is only catching up: the refusal says so, for a caller that may ask again in a moment.
            assertThatThrownBy(() -> engine.switchover("s1", "west")).isInstanceOfSatisfying(SwitchoverRefused.class,
                    e -> assertThat(e.catchingUp()).as(e.getMessage()).isTrue());
        } finally {
            sql.adminExecute(west.endpoint(), "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 0", "START SLAVE");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> secondsBehind(west) == 0);
    }

    @Test
    void stoppedCandidate() throws Exception {
        DbServer west = server("s2", "west");
        sql.adminExecute(west.endpoint(), "STOP SLAVE");
        try {
            assertRefusedWithNothingChanged("s2", "west", SwitchoverRefused.Kind.NOT_READY,
                    "candidate s2-west at " + west.endpoint() + " replication IO thread is not running",
                    "replication SQL thread is not running");
            assertThatThrownBy(() -> engine.switchover("s2", "west")).isInstanceOfSatisfying(SwitchoverRefused.class,
                    e -> assertThat(e.catchingUp()).as("a stopped replication does not clear by itself").isFalse());
        } finally {
            sql.adminExecute(west.endpoint(), "START SLAVE");
        }
    }

    @Test
    void candidateWithAnErrantTransaction() throws Exception {
        DbServer west = server("s2", "west");
        DbServer east = server("s2", "east");
        sql.adminExecute(west.endpoint(), "INSERT INTO probe(shard) VALUES ('errant')");
        String errant = sql.adminQuery(west.endpoint(), "SELECT @@gtid_binlog_pos");
        try {
            assertRefusedWithNothingChanged("s2", "west", SwitchoverRefused.Kind.NOT_READY,
                    "candidate s2-west at " + west.endpoint() + " has errant GTIDs the primary s2-east never had: " + errant);
        } finally {
            // Give the primary the same GTID (same server id and sequence), as a fix by hand would; the
            // candidate skips it as its own, and replication goes on in strict mode.
            String[] gtid = errant.split("-");
            sql.adminExecute(east.endpoint(), "SET SESSION server_id = " + gtid[1], "SET SESSION gtid_seq_no = " + gtid[2],
                    "INSERT INTO probe(shard) VALUES ('errant')");
        }
        sql.adminExecute(east.endpoint(), "INSERT INTO probe(shard) VALUES ('after errant')");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                sql.adminQuery(west.endpoint(), "SELECT COUNT(*) FROM probe WHERE shard = 'after errant'").equals("1"));
        SwitchoverResult result = engine.switchover("s2", "west");
        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SWITCHED);
        assertThat(engine.switchover("s2", "east").outcome()).isEqualTo(Outcome.SWITCHED);
    }

    @Test
    void twoWritablePrimaries() throws Exception {
        DbServer west = server("s2", "west");
        sql.adminExecute(west.endpoint(), "STOP SLAVE", "SET GLOBAL read_only = OFF");
        try {
            assertRefusedWithNothingChanged("s2", "west", SwitchoverRefused.Kind.NOT_READY,
                    "shard s2 has 2 writable primaries", "s2-east at ", "s2-west at " + west.endpoint());
            // In a batch, the refusal of one shard is its result and does not stop the others.
            List<SwitchoverResult> results = engine.switchoverAll("west");
            assertThat(results).extracting(SwitchoverResult::shard, SwitchoverResult::outcome).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("s1", Outcome.SWITCHED), org.assertj.core.groups.Tuple.tuple("s2", Outcome.REFUSED));
            assertThat(results.get(1).reason()).contains("2 writable primaries");
        } finally {
            sql.adminExecute(west.endpoint(), "SET GLOBAL read_only = ON", "START SLAVE");
        }
    }

    /** Every test starts from the lab's layout: each shard's primary in east. */
    @AfterEach
    void primariesBackInEast() {
        for (Shard shard : topology.shards()) {
            try {
                engine.switchover(shard.name(), "east");
            } catch (SwitchoverRefused e) {
                assertThat(e.kind()).as(e.getMessage()).isEqualTo(SwitchoverRefused.Kind.ALREADY_THERE);
            }
        }
    }

    private void assertRefusedWithNothingChanged(String shard, String dc, SwitchoverRefused.Kind kind, String... messageParts) {
        List<String> before = snapshot();
        // A dry run refuses as the switchover does.
        assertThatThrownBy(() -> engine.check(shard, dc))
                .isInstanceOfSatisfying(SwitchoverRefused.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .message().contains(messageParts);
        assertThatThrownBy(() -> engine.switchover(shard, dc))
                .isInstanceOfSatisfying(SwitchoverRefused.class, e -> assertThat(e.kind()).isEqualTo(kind))
                .message().contains(messageParts);
        assertThat(snapshot()).isEqualTo(before);
    }

    /** What a switchover changes: every server's role settings and every DC's writer servers. */
    private static List<String> snapshot() {
        List<String> state = new ArrayList<>();
        for (Shard shard : topology.shards()) {
            for (DbServer server : shard.servers()) {
                try {
                    state.add(server.id() + " read_only=" + sql.adminQuery(server.endpoint(), "SELECT @@read_only")
                            + " semi_sync_master=" + sql.adminQuery(server.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")
                            + " master=" + sql.replication(server.endpoint()));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (Datacenter dc : topology.datacenters()) {
                ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow();
                ServerState s = new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
                state.add(dc.name() + " " + f.writerBackend() + " " + s.address() + ":" + s.port() + " maxconn " + s.maxconn());
            }
        }
        return state;
    }

    private static long secondsBehind(DbServer replica) {
        var status = (ServerStatus.Up) LiveShard.discover(topology.shard(replica.shard()).orElseThrow(), topology.credentials())
                .other(replica);
        return status.replication().orElseThrow().secondsBehind().orElse(-1L);
    }

    private static DbServer server(String shard, String dc) {
        return topology.shard(shard).orElseThrow().serverIn(dc).orElseThrow();
    }
}
