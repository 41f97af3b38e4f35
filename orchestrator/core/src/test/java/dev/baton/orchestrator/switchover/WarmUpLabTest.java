package dev.baton.orchestrator.switchover;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The coordinator's start-up warm-up against a real lab: it reads every server, and changes nothing. */
class WarmUpLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        topology = lab.topology();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void readsEveryServerAndChangesNothing() {
        List<String> before = state();

        int answered = WarmUp.readEverything(topology);

        int servers = topology.shards().stream().mapToInt(s -> s.servers().size()).sum();
        assertThat(answered).isEqualTo(servers);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aServerThatIsDownIsCountedOutNotAnError() {
        DbServer down = topology.shards().getFirst().serverIn("west").orElseThrow();
        lab.kill(down.id());
        try {
            int servers = topology.shards().stream().mapToInt(s -> s.servers().size()).sum();
            assertThat(WarmUp.readEverything(topology)).isEqualTo(servers - 1);
        } finally {
            lab.start(down.id());
        }
    }

    /** Each server's read_only and GTID position, and each DC's writer servers' address and maxconn. */
    private static List<String> state() {
        List<String> state = new ArrayList<>();
        for (var shard : topology.shards()) {
            for (DbServer server : shard.servers()) {
                try (MariaDbServer db = new MariaDbServer(server, topology.credentials())) {
                    ServerStatus.Up up = (ServerStatus.Up) db.status();
                    state.add(server.id() + " read_only=" + up.readOnly() + " binlog=" + up.binlogPos());
                }
            }
        }
        for (Datacenter dc : topology.datacenters()) {
            try (HaproxyRuntime runtime = new HaproxyRuntime(dc.haproxyRuntime())) {
                for (var shard : topology.shards()) {
                    ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow();
                    ServerState s = runtime.serverState(f.writerBackend(), f.writerServer());
                    state.add(dc.name() + " " + shard.name() + " writer " + s.address() + ":" + s.port() + " maxconn " + s.maxconn());
                }
            }
        }
        return state;
    }
}
