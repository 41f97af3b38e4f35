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
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The candidate dies after the primary was fenced: the switchover must give the shard back to the primary. */
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
}
