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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Switchovers that must give the shard back to the primary: the candidate dies after the fence, or it
 * cannot catch up within the shard's timeout.
 */
class SwitchoverRollbackTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Sql sql;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        topology = lab.topology();
        sql = new Sql(topology.credentials());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void candidateKilledAfterTheFenceRollsBackWithoutLosingAnAcknowledgedOrder() throws Exception {
        DbServer east = topology.shard("s1").orElseThrow().serverIn("east").orElseThrow();
        DbServer west = topology.shard("s1").orElseThrow().serverIn("west").orElseThrow();
        SwitchoverEngine engine = new SwitchoverEngine(topology, SwitchoverOptions.defaults().withListener((shard, step) -> {
            if (step.equals("fence")) lab.kill(west.id());
        }));
        Endpoint eastWriter = topology.datacenter("east").orElseThrow().frontendsOf("s1").orElseThrow().writer();
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<String> failed = new CopyOnWriteArrayList<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                String key = UUID.randomUUID().toString();
                try {
                    sql.appInsertOrder(eastWriter, key);
                    acknowledged.add(key);
                } catch (Exception e) {
                    failed.add(e.getMessage());
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        SwitchoverResult result;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() > 10);
            result = engine.switchover("s1", "west");
            int before = acknowledged.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() > before + 10);
        } finally {
            writer.interrupt();
            writer.join(10_000);
        }
        System.out.printf("FIGURES rollback: %s; writes acknowledged %d, failed %d %s%n", result, acknowledged.size(),
                failed.size(), failed);

        try {
            assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
            assertThat(result.reason()).contains("s1-west");
            assertThat(result.steps()).extracting(StepTiming::name).contains("fence", "rollback").doesNotContain("promote");
            assertThat(sql.adminQuery(east.endpoint(), "SELECT @@read_only")).isEqualTo("0");
            assertThat(sql.adminQuery(east.endpoint(), "SELECT @@rpl_semi_sync_master_enabled")).isEqualTo("1");
            for (Datacenter dc : topology.datacenters()) {
                ShardFrontends f = dc.frontendsOf("s1").orElseThrow();
                ServerState state = new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
                assertThat(state.address() + ":" + state.port()).as("HAProxy " + dc.name()).isEqualTo(east.endpoint().toString());
                assertThat(state.maxconn()).isEqualTo(1000);
                assertThat(sql.appInsertOrder(f.writer(), UUID.randomUUID().toString())).isEqualTo(east.endpoint().port());
            }
            assertThat(sql.countOrders(east.endpoint(), "idem_key IN ('" + String.join("','", acknowledged) + "')"))
                    .isEqualTo(acknowledged.size());
        } finally {
            lab.start(west.id());
        }

        // The candidate rejoins as a replica of the primary, catches up, and can take over after all.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(sql.replication(west.endpoint())).isEqualTo(east.endpoint() + " io=Yes sql=Yes");
            assertThat(sql.countOrders(west.endpoint(), "idem_key IN ('" + String.join("','", acknowledged) + "')"))
                    .isEqualTo(acknowledged.size());
        });
        SwitchoverEngine plain = new SwitchoverEngine(topology, SwitchoverOptions.defaults());
        assertThat(plain.switchover("s1", "west").outcome()).isEqualTo(Outcome.SWITCHED);
        assertThat(plain.switchover("s1", "east").outcome()).isEqualTo(Outcome.SWITCHED);
    }

    @Test
    void aCandidateThatCannotCatchUpIsGivenUpAtTheShardTimeoutNotTheCatchUpTimeout() throws Exception {
        DbServer east = topology.shard("s2").orElseThrow().serverIn("east").orElseThrow();
        DbServer west = topology.shard("s2").orElseThrow().serverIn("west").orElseThrow();
        // Once the switchover has checked the candidate, it stops applying and the primary gets one more transaction.
        SwitchoverOptions options = SwitchoverOptions.defaults().withMode(SwitchoverOptions.Mode.NAIVE).withShardTimeout(Duration.ofSeconds(1))
                .withListener((shard, step) -> {
                    if (!step.equals("connect")) return;
                    try {
                        sql.adminExecute(west.endpoint(), "STOP SLAVE SQL_THREAD");
                        sql.adminExecute(east.endpoint(), "INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('"
                                + UUID.randomUUID() + "', 1, '[]', 1, 'test')");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
        SwitchoverResult result;
        try {
            result = new SwitchoverEngine(topology, options).switchover("s2", "west");
            System.out.printf("FIGURES per-shard timeout: %s%n", result);

            assertThat(result.outcome()).isEqualTo(Outcome.ROLLED_BACK);
            assertThat(result.reason()).startsWith("per-shard timeout 1s passed at catch-up: candidate " + west.id() + " did not apply ");
            assertThat(result.steps()).extracting(StepTiming::name).containsExactly("precheck", "connect", "read-only", "catch-up", "rollback");
            // At its 1 s (plus the rollback), well before the catch-up's own 5 s.
            assertThat(result.wallMs()).isBetween(1000.0, 2500.0);
            assertThat(sql.adminQuery(east.endpoint(), "SELECT @@read_only")).isEqualTo("0");
            assertThat(sql.adminQuery(west.endpoint(), "SELECT @@read_only")).isEqualTo("1");
            for (Datacenter dc : topology.datacenters()) {
                assertThat(sql.appInsertOrder(dc.frontendsOf("s2").orElseThrow().writer(), UUID.randomUUID().toString()))
                        .as("HAProxy " + dc.name()).isEqualTo(east.endpoint().port());
            }
        } finally {
            sql.adminExecute(west.endpoint(), "START SLAVE SQL_THREAD");
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(sql.replication(west.endpoint())).isEqualTo(east.endpoint() + " io=Yes sql=Yes"));
    }
}
