package dev.baton.cli;

import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.util.Map;
import java.util.function.Function;

/** Every endpoint of a topology, for people: what to connect to, and where each shard's servers are. */
final class TopologyTable {
    private TopologyTable() {
    }

    /** @param roles live role per server id (e.g. from the servers themselves); the recorded role where absent */
    static String render(Topology t, Map<String, String> roles) {
        StringBuilder out = new StringBuilder();
        out.append("DATACENTER  ADDRESS        HAPROXY API            CHECKOUT APP\n");
        for (Datacenter dc : t.datacenters()) {
            out.append("%-10s  %-13s  %-21s  http://%s%n".formatted(dc.name(), dc.address(), dc.haproxyRuntime(), dc.checkoutApp()));
        }
        out.append("\nSHARD  SERVER      ENDPOINT               ROLE");
        for (Datacenter dc : t.datacenters()) out.append("  %-22s".formatted(dc.name() + " writer / reader"));
        out.append('\n');
        for (Shard shard : t.shards()) {
            boolean first = true;
            for (DbServer s : shard.servers()) {
                out.append("%-5s  %-10s  %-21s  %-7s".formatted(first ? shard.name() : "", s.id(), s.endpoint(),
                        roles.getOrDefault(s.id(), s.role().name().toLowerCase())));
                if (first) {
                    for (Datacenter dc : t.datacenters()) {
                        out.append("  %-22s".formatted(dc.frontendsOf(shard.name())
                                .map(endpoints()).orElse("-")));
                    }
                }
                out.append('\n');
                first = false;
            }
        }
        out.append("\nDNS %s (%s, TTL %d s), API %s%nZooKeeper %s%n".formatted(t.dns().server(), t.dns().checkoutName(),
                t.dns().ttl(), t.dns().apiUrl(), t.zookeeper()));
        return out.toString();
    }

    private static Function<ShardFrontends, String> endpoints() {
        return f -> f.writer().port() + " / " + f.reader().port();
    }
}
