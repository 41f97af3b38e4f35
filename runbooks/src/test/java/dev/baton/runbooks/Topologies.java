package dev.baton.runbooks;

import dev.baton.runbooks.topology.TopologyView;
import dev.baton.runbooks.topology.TopologyView.Address;
import dev.baton.runbooks.topology.TopologyView.CheckoutLb;
import dev.baton.runbooks.topology.TopologyView.Dc;
import dev.baton.runbooks.topology.TopologyView.DnsRecord;
import dev.baton.runbooks.topology.TopologyView.DnsServer;
import dev.baton.runbooks.topology.TopologyView.TsigKey;
import dev.baton.runbooks.topology.TopologyView.Server;
import dev.baton.runbooks.topology.TopologyView.Shard;
import dev.baton.runbooks.topology.TopologyView.WriterFrontend;

import java.util.ArrayList;
import java.util.List;

/** Topologies shaped like the lab's, built in memory: runbook tests need no servers. */
public final class Topologies {
    /** A PowerDNS with its API and a TSIG key, as the lab's. */
    public static final DnsServer DNS = new DnsServer(new Address("127.0.0.1", 5300), "http://127.0.0.1:8081",
            new TsigKey("baton-lab.", "hmac-sha256"));

    private Topologies() {
    }

    /** {@code dcs} DCs (east = 127.0.1.1, west = 127.0.2.1, ...) and {@code shards} shards s1..sN, every primary in {@code primaryDc}. */
    public static TopologyView of(List<String> dcs, int shards, String primaryDc) {
        List<Dc> datacenters = new ArrayList<>();
        for (int d = 0; d < dcs.size(); d++) {
            String address = "127.0." + (d + 1) + ".1";
            List<WriterFrontend> writers = new ArrayList<>();
            for (int s = 1; s <= shards; s++) {
                writers.add(new WriterFrontend("s" + s, new Address(address, 20000 + s), "w_s" + s, "db"));
            }
            datacenters.add(new Dc(dcs.get(d), address, new Address(address, 19000), new Address(address, 18000),
                    new CheckoutLb(new Address(address, 18001), "b_checkout"), writers));
        }
        List<Shard> shardList = new ArrayList<>();
        for (int s = 1; s <= shards; s++) {
            List<Server> servers = new ArrayList<>();
            for (int d = 0; d < dcs.size(); d++) {
                servers.add(new Server("s" + s + "-" + dcs.get(d), dcs.get(d), new Address("127.0." + (d + 1) + ".1", 30000 + s)));
            }
            shardList.add(new Shard("s" + s, servers, primaryDc));
        }
        return new TopologyView(datacenters, shardList, List.of(new DnsRecord("example.test.", "checkout.example.test.", 1, DNS)));
    }

    public static TopologyView twoByEight() {
        return of(List.of("east", "west"), 8, "east");
    }
}
