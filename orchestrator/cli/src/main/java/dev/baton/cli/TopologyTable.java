package dev.baton.cli;

import dev.baton.wire.Datacenter;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

/** The endpoints clients use (the lab's status lists the servers and their live roles). */
final class TopologyTable {
    private TopologyTable() {
    }

    static String render(Topology t) {
        StringBuilder out = new StringBuilder();
        out.append("%-10s  %-12s  %-22s  %s%n".formatted("DATACENTER", "ADDRESS", "HAPROXY RUNTIME API", "CHECKOUT APP"));
        for (Datacenter dc : t.datacenters()) {
            out.append("%-10s  %-12s  %-22s  http://%s%n".formatted(dc.name(), dc.address(), dc.haproxyRuntime(), dc.checkoutApp()));
        }
        out.append("%n%-6s  %-10s  %-22s  %s%n".formatted("SHARD", "DATACENTER", "WRITER FRONTEND", "READER FRONTEND"));
        for (Shard shard : t.shards()) {
            for (Datacenter dc : t.datacenters()) {
                dc.frontendsOf(shard.name()).ifPresent(f -> out.append("%-6s  %-10s  %-22s  %s%n"
                        .formatted(shard.name(), dc.name(), f.writer(), f.reader())));
            }
        }
        out.append("%nDNS %s serves %s (TTL %d s); PowerDNS API %s%nZooKeeper %s%n".formatted(t.dns().server(),
                t.dns().checkoutName(), t.dns().ttl(), t.dns().apiUrl(), t.zookeeper()));
        return out.toString();
    }
}
