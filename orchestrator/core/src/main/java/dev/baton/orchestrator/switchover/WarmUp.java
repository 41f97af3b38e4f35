package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;

import java.util.List;

/**
 * Reads, changing nothing, what a reconcile reads first: every shard's servers and every DC's writer
 * servers. A coordinator does it once when it starts, so that its first takeover does not run on a
 * cold JVM: in {@code bench leader-kill} a coordinator started seconds before spent about 800 ms of
 * its first reconcile discovering the shards (classes loading, the JDBC driver's first connections),
 * all of it with no writable server in any shard of the failover.
 */
public final class WarmUp {
    private WarmUp() {
    }

    /** How many servers answered; failures are expected (a DC may be down) and only counted. */
    public static int readEverything(Topology topology) {
        List<Integer> up = Parallel.map(topology.shards(), shard -> {
            List<MariaDbServer> servers = shard.servers().stream().map(s -> new MariaDbServer(s, topology.credentials())).toList();
            try {
                return (int) Parallel.map(servers, MariaDbServer::status).stream().filter(s -> s instanceof ServerStatus.Up).count();
            } finally {
                servers.forEach(MariaDbServer::close);
            }
        });
        Parallel.map(topology.datacenters(), dc -> readWriters(topology, dc));
        return up.stream().mapToInt(Integer::intValue).sum();
    }

    private static boolean readWriters(Topology topology, Datacenter dc) {
        try (HaproxyRuntime runtime = new HaproxyRuntime(dc.haproxyRuntime())) {
            topology.shards().forEach(shard -> dc.frontendsOf(shard.name())
                    .ifPresent(f -> runtime.serverState(f.writerBackend(), f.writerServer())));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
