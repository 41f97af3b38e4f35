package dev.baton.orchestrator.coordinator;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;

import java.util.Map;
import java.util.TreeMap;

/** What a failover could change on the servers, read from them: the lab tests' "nothing changed" check. */
final class ServersState {
    private ServersState() {
    }

    /** Each server's role, GTID position, master and semi-sync; each DC's writer server address, maxconn and state. */
    static Map<String, String> of(Topology topology) {
        Map<String, String> state = new TreeMap<>();
        for (Shard shard : topology.shards()) {
            for (DbServer s : shard.servers()) {
                try (MariaDbServer server = new MariaDbServer(s, topology.credentials())) {
                    ServerStatus.Up up = (ServerStatus.Up) server.status();
                    state.put(s.id(), "read_only=" + up.readOnly() + " binlog=" + up.binlogPos() + " master="
                            + up.replication().map(r -> r.master() + " io=" + r.ioRunning() + " sql=" + r.sqlRunning()).orElse("none")
                            + " semisync=" + up.semiSyncMaster());
                }
            }
            for (Datacenter dc : topology.datacenters()) {
                ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow();
                ServerState w = new HaproxyRuntime(dc.haproxyRuntime()).serverState(f.writerBackend(), f.writerServer());
                state.put(dc.name() + "/" + f.writerBackend(), w.address() + ":" + w.port() + " maxconn=" + w.maxconn()
                        + " admin=" + w.adminState());
            }
        }
        return state;
    }
}
