package dev.baton.chaos.bench.ingest;

import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Health reports shaped like a real agent's for a DC of the topology: every local MariaDB
 * (healthy primary or caught-up replica), the DC's HAProxy with every writer backend's servers,
 * the checkout app, and the reachability of each other DC's HAProxy and first MariaDB. The
 * coordinator parses and judges them as it would real ones; only sequence and sentAt change.
 */
public final class SyntheticReports {
    private final Topology topology;

    public SyntheticReports(Topology topology) {
        this.topology = topology;
    }

    public HealthReport report(String agentId, String dc, long sequence, Instant sentAt) {
        return new HealthReport(agentId, dc, sequence, sentAt, probes(dc, sequence));
    }

    private List<Probe> probes(String dcName, long sequence) {
        Datacenter dc = topology.datacenter(dcName)
                .orElseThrow(() -> new IllegalArgumentException("no DC " + dcName + " in topology " + topology.name()));
        List<Probe> probes = new ArrayList<>();
        String gtid = "0-1-" + (1000 + sequence);
        for (Shard shard : topology.shards()) {
            for (DbServer server : shard.servers()) {
                if (!server.dc().equals(dcName)) continue;
                boolean primary = server.role() == Role.PRIMARY;
                probes.add(new MariaDbProbe(server.id(), server.endpoint(), true, !primary, !primary, !primary, !primary,
                        primary ? null : 0L, gtid, gtid, 1, null));
            }
        }
        List<HaproxyProbe.Server> servers = new ArrayList<>();
        for (ShardFrontends frontends : dc.frontends()) {
            Shard shard = topology.shard(frontends.shard()).orElseThrow();
            for (DbServer server : shard.servers()) {
                servers.add(new HaproxyProbe.Server(frontends.writerBackend(), server.dc(), server.endpoint().host(),
                        server.endpoint().port(), server.role() == Role.PRIMARY ? "RUNNING" : "MAINT"));
            }
        }
        probes.add(new HaproxyProbe(dcName, dc.haproxyRuntime(), true, servers, 1, null));
        Endpoint app = dc.checkoutApp();
        probes.add(new HttpProbe("checkout", "http://" + app.host() + ":" + app.port() + "/health", 200, 2, null));
        for (Datacenter other : topology.datacenters()) {
            if (other.name().equals(dcName)) continue;
            probes.add(new ReachabilityProbe(dcName, other.name(), "haproxy", other.haproxyRuntime(), true, 1, null));
            topology.shards().stream().flatMap(s -> s.servers().stream()).filter(s -> s.dc().equals(other.name())).findFirst()
                    .ifPresent(s -> probes.add(new ReachabilityProbe(dcName, other.name(), s.id(), s.endpoint(), true, 1, null)));
        }
        return probes;
    }
}
