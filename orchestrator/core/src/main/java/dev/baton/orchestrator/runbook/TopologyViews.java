package dev.baton.orchestrator.runbook;

import dev.baton.runbooks.topology.TopologyView;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.util.List;
import java.util.Map;

/** The orchestrator's topology as the runbook planner sees it (the runbooks module knows nothing of ours). */
public final class TopologyViews {
    private TopologyViews() {
    }

    /** With each shard's primary where the topology recorded it: fine for a preview, stale after switchovers. */
    public static TopologyView of(Topology topology) {
        return of(topology, Map.of());
    }

    /**
     * @param primaryDcs where each shard's primary is now (asked of the servers); a shard missing here
     *                   keeps the topology's recorded primary
     */
    public static TopologyView of(Topology topology, Map<String, String> primaryDcs) {
        List<TopologyView.Dc> dcs = topology.datacenters().stream().map(TopologyViews::dc).toList();
        List<TopologyView.Shard> shards = topology.shards().stream().map(s -> shard(s, primaryDcs.get(s.name()))).toList();
        List<TopologyView.DnsRecord> records = topology.dns() == null ? List.of() : List.of(record(topology.dns()));
        return new TopologyView(dcs, shards, records);
    }

    /** The checkout record with its server as a plan shows it: the TSIG key by name, its secret left out. */
    private static TopologyView.DnsRecord record(Dns dns) {
        TopologyView.TsigKey key = dns.tsig() == null ? null : new TopologyView.TsigKey(dns.tsig().name(), dns.tsig().algorithm());
        return new TopologyView.DnsRecord(dns.zone(), dns.checkoutName(), dns.ttl(),
                new TopologyView.DnsServer(address(dns.server()), dns.apiUrl(), key));
    }

    private static TopologyView.Dc dc(Datacenter dc) {
        TopologyView.CheckoutLb checkout = dc.checkoutFrontend() == null ? null
                : new TopologyView.CheckoutLb(address(dc.checkoutFrontend().endpoint()), dc.checkoutFrontend().backend());
        return new TopologyView.Dc(dc.name(), dc.address(), address(dc.haproxyRuntime()), address(dc.checkoutApp()), checkout,
                dc.frontends().stream().map(f -> new TopologyView.WriterFrontend(f.shard(), address(f.writer()), f.writerBackend(),
                        f.writerServer())).toList());
    }

    private static TopologyView.Shard shard(Shard shard, String livePrimaryDc) {
        String primaryDc = livePrimaryDc != null ? livePrimaryDc : shard.recordedPrimary().map(DbServer::dc)
                .orElseThrow(() -> new IllegalArgumentException("shard " + shard.name() + " has no primary in the topology"));
        return new TopologyView.Shard(shard.name(), shard.servers().stream()
                .map(s -> new TopologyView.Server(s.id(), s.dc(), address(s.endpoint()))).toList(), primaryDc);
    }

    private static TopologyView.Address address(Endpoint e) {
        return e == null ? null : new TopologyView.Address(e.host(), e.port());
    }
}
