package dev.baton.orchestrator.switchover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link EmergencyPromotion} on a real lab (east primaries, west replicas, semi-sync): a SIGKILLed
 * primary is replaced by its west replica with every acknowledged order, a reachable primary is fenced
 * before anything is promoted, and what cannot be promoted safely is refused by name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmergencyPromotionTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Sql sql;
    static EmergencyPromotion promotion;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        topology = lab.topology();
        sql = new Sql(topology.credentials());
        promotion = new EmergencyPromotion(topology, SwitchoverOptions.defaults());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    /**
     * The west replica applies a second behind (MASTER_DELAY) while semi-sync acknowledges each commit
     * as soon as it is received: when east's primary dies, acknowledged orders sit only in the west
     * relay log, and are lost unless the promotion applies them first.
     */
    @Order(1)
    @Test
    void killedPrimaryIsReplacedWithEveryAcknowledgedOrder() throws Exception {
        DbServer east = server("s1", "east");
        DbServer west = server("s1", "west");
        sql.adminExecute(west.endpoint(), "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY = 1", "START SLAVE");
        SwitchoverResult result;
        SwitchoverResult again;
        List<String> beforeKill;
        RetryingWriter client = new RetryingWriter(sql, writers("s1"));
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> client.acknowledgedCount() > 50);
            lab.kill(east.id());
            beforeKill = client.acknowledged();
            assertThat(sql.countOrders(west.endpoint(), in(beforeKill))).as("acknowledged orders already applied on " + west.id())
                    .isLessThan(beforeKill.size());

            result = promotion.promote("s1", west.id(), writerTargets("s1"));
            int after = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > after + 20);
            again = promotion.promote("s1", west.id(), writerTargets("s1"));
        } finally {
            client.close();
        }
        System.out.printf("FIGURES emergency promotion of s1 after kill -9 of %s: %.1f ms (writers at %.1f ms) %s; %s%n", east.id(),
                result.wallMs(), result.writePauseMs(), result.steps(), result.reason());

        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SWITCHED);
        assertThat(result.reason()).contains("promoted " + west.id(), "applied everything it received", east.id())
                .doesNotContain("problems");
        assertThat(sql.adminQuery(west.endpoint(), "SELECT @@read_only")).isEqualTo("0");
        assertThat(sql.replication(west.endpoint())).isEqualTo("none");
        assertThat(writerStates("s1")).as("writers of s1").allSatisfy(s -> {
            assertThat(s.address() + ":" + s.port()).isEqualTo(west.endpoint().toString());
            assertThat(s.maxconn()).isEqualTo(1000);
        });
        assertThat(sql.countOrders(west.endpoint(), in(beforeKill))).as("orders acknowledged before the kill, on " + west.id())
                .isEqualTo(beforeKill.size());
        assertThat(client.givenUp()).isEmpty();
        assertThat(sql.countOrders(west.endpoint(), in(client.acknowledged()))).isEqualTo(client.acknowledged().size());

        assertThat(again.outcome()).isEqualTo(Outcome.SWITCHED);
        assertThat(again.reason()).contains(west.id() + " already promoted", "writer in east already at", "writer in west already at")
                .doesNotContain("fenced");
    }

    /** The dead primary's server as target: refused by name, nothing changed. */
    @Order(2)
    @Test
    void unreachableTargetIsRefused() throws Exception {
        DbServer east = server("s1", "east");
        DbServer west = server("s1", "west");
        SwitchoverResult result = promotion.promote("s1", east.id(), writerTargets("s1"));
        assertThat(result.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(result.reason()).contains("target " + east.id(), "unreachable");
        assertThat(writerStates("s1")).allSatisfy(s -> assertThat(s.port()).isEqualTo(west.endpoint().port()));
        assertThatThrownBy(() -> promotion.promote("s9", "x", List.of())).isInstanceOf(SwitchoverRefused.class)
                .hasMessageContaining("unknown shard 's9'");
        assertThatThrownBy(() -> promotion.promote("s1", "s2-west", List.of())).isInstanceOf(SwitchoverRefused.class)
                .hasMessageContaining("shard s1 has no server 's2-west'");
    }

    /**
     * East's HAProxy dies too (its DC is going down) but the s2 primary still answers: it is fenced and
     * its final position applied before west is promoted, then it becomes west's replica; the dead
     * HAProxy is reported, not fatal.
     */
    @Order(3)
    @Test
    void reachablePrimaryIsFencedFirstAndADeadHaproxyIsReported() throws Exception {
        DbServer east = server("s2", "east");
        DbServer west = server("s2", "west");
        Endpoint westWriter = topology.datacenter("west").orElseThrow().frontendsOf("s2").orElseThrow().writer();
        SwitchoverResult result;
        RetryingWriter client = new RetryingWriter(sql, List.of(westWriter));
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> client.acknowledgedCount() > 30);
            lab.killProcess("haproxy east");
            result = promotion.promote("s2", west.id(), writerTargets("s2"));
            int after = client.acknowledgedCount();
            await().atMost(Duration.ofSeconds(10)).until(() -> client.acknowledgedCount() > after + 20);
        } finally {
            client.close();
        }
        System.out.printf("FIGURES emergency promotion of s2 with its primary reachable: %.1f ms %s; %s%n", result.wallMs(),
                result.steps(), result.reason());

        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SWITCHED);
        assertThat(result.reason()).contains("fenced " + east.id(), "final position", east.id() + " replicates from " + west.id(),
                "semi-sync master on " + west.id(), "writer in east not repointed");
        assertThat(sql.adminQuery(west.endpoint(), "SELECT @@read_only")).isEqualTo("0");
        assertThat(sql.adminQuery(east.endpoint(), "SELECT @@read_only")).isEqualTo("1");
        assertThat(sql.adminQuery(west.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("1");
        assertThat(sql.adminQuery(east.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("0");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sql.replication(east.endpoint())).isEqualTo(west.endpoint() + " io=Yes sql=Yes"));
        ServerState westState = writerState(topology.datacenter("west").orElseThrow(), "s2");
        assertThat(westState.address() + ":" + westState.port()).isEqualTo(west.endpoint().toString());
        assertThat(client.givenUp()).isEmpty();
        String where = in(client.acknowledged());
        assertThat(sql.countOrders(west.endpoint(), where)).isEqualTo(client.acknowledged().size());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sql.countOrders(east.endpoint(), where)).isEqualTo(client.acknowledged().size()));
    }

    private static DbServer server(String shard, String dc) {
        return topology.shard(shard).orElseThrow().serverIn(dc).orElseThrow();
    }

    private static List<Endpoint> writers(String shard) {
        return topology.datacenters().stream().map(dc -> dc.frontendsOf(shard).orElseThrow().writer()).toList();
    }

    private static List<EmergencyPromotion.Writer> writerTargets(String shard) {
        return topology.datacenters().stream().map(dc -> {
            ShardFrontends f = dc.frontendsOf(shard).orElseThrow();
            return new EmergencyPromotion.Writer(dc.name(), dc.haproxyRuntime(), f.writerBackend(), f.writerServer());
        }).toList();
    }

    private static List<ServerState> writerStates(String shard) {
        return topology.datacenters().stream().map(dc -> writerState(dc, shard)).toList();
    }

    private static ServerState writerState(Datacenter dc, String shard) {
        ShardFrontends f = dc.frontendsOf(shard).orElseThrow();
        return new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
    }

    private static String in(List<String> keys) {
        return "idem_key IN ('" + String.join("','", keys) + "')";
    }
}
