package dev.baton.chaos.lab;

import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Turns a spec into the topology of the lab to build: addresses and ports for everything.
 * With an explicit base port the order below is the port order, so it stays stable.
 */
final class Layout {
    static final String SHARED_ADDRESS = "127.0.0.1";
    /** Fixed lab accounts: the lab lives on loopback only. */
    static final Credentials CREDENTIALS =
            new Credentials("shop", "baton", "baton-lab", "app", "app-lab", "repl", "repl-lab");
    static final String DNS_API_KEY = "baton-lab";
    static final String TSIG_KEY_NAME = "baton-lab.";
    static final String TSIG_ALGORITHM = "hmac-sha256";
    /** Its servers are named after the DCs whose checkout apps they are. */
    static final String CHECKOUT_BACKEND = "b_checkout";

    private Layout() {
    }

    /** The lab's servers as a topology, and its stand-ins, whose ports come after every server's. */
    record Planned(Topology topology, StandIns standIns) {
    }

    static Planned plan(LabSpec spec) {
        Ports ports = new Ports(spec.basePort());
        List<String> shared = List.of(SHARED_ADDRESS);
        List<String> addresses = IntStream.range(0, spec.dcs().size()).mapToObj(spec::addressOf).toList();

        Endpoint dnsServer = new Endpoint(SHARED_ADDRESS, ports.allocate(shared, true));
        int dnsApiPort = ports.allocate(shared, false);
        Endpoint zookeeper = new Endpoint(SHARED_ADDRESS, ports.allocate(shared, false));
        // Every DC's checkout app, and its checkout frontend in HAProxy, listen on the same port of their
        // DC's address, so DNS needs only an A record.
        int checkoutPort = ports.allocate(addresses, false);
        int checkoutFrontendPort = ports.allocate(addresses, false);

        int shards = spec.shards();
        int[][] dbPorts = new int[spec.dcs().size()][shards];
        List<Datacenter> datacenters = new ArrayList<>();
        for (int d = 0; d < spec.dcs().size(); d++) {
            String address = addresses.get(d);
            List<String> here = List.of(address);
            Endpoint runtime = new Endpoint(address, ports.allocate(here, false));
            List<ShardFrontends> frontends = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                String shard = shardName(s);
                dbPorts[d][s] = ports.allocate(here, false);
                Endpoint writer = new Endpoint(address, ports.allocate(here, false));
                Endpoint reader = new Endpoint(address, ports.allocate(here, false));
                frontends.add(new ShardFrontends(shard, writer, "w_" + shard, "db", reader, "r_" + shard));
            }
            datacenters.add(new Datacenter(spec.dcs().get(d), address, runtime, new Endpoint(address, checkoutPort), frontends,
                    new CheckoutFrontend(new Endpoint(address, checkoutFrontendPort), CHECKOUT_BACKEND)));
        }

        List<Shard> shardList = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            List<DbServer> servers = new ArrayList<>();
            for (int d = 0; d < spec.dcs().size(); d++) {
                String dc = spec.dcs().get(d);
                servers.add(new DbServer(shardName(s) + "-" + dc, shardName(s), dc,
                        new Endpoint(addresses.get(d), dbPorts[d][s]), d == 0 ? Role.PRIMARY : Role.REPLICA));
            }
            shardList.add(new Shard(shardName(s), s, servers));
        }

        Dns dns = new Dns("example.test.", "checkout.example.test.", 1, dnsServer,
                "http://" + SHARED_ADDRESS + ":" + dnsApiPort, DNS_API_KEY, tsigKey());
        StandIns standIns = new StandIns(new Endpoint(SHARED_ADDRESS, ports.allocate(shared, false)),
                new Endpoint(SHARED_ADDRESS, ports.allocate(shared, false)), spec.dir().resolve(StandIns.NOTIFICATIONS_FILE));
        return new Planned(new Topology("lab", datacenters, shardList, dns, zookeeper, CREDENTIALS), standIns);
    }

    /** A fresh secret per lab, as long as the HMAC-SHA256 output (RFC 8945 section 6 asks for at least that). */
    private static Tsig tsigKey() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new Tsig(TSIG_KEY_NAME, TSIG_ALGORITHM, Base64.getEncoder().encodeToString(secret));
    }

    static String shardName(int index) {
        return "s" + (index + 1);
    }

    /** Every TCP endpoint the lab listens on (the checkout apps only when they run). */
    static List<Endpoint> listeners(Topology topology, boolean checkoutApps) {
        List<Endpoint> all = new ArrayList<>();
        all.add(topology.dns().server());
        all.add(new Endpoint(SHARED_ADDRESS, java.net.URI.create(topology.dns().apiUrl()).getPort()));
        all.add(topology.zookeeper());
        for (Datacenter dc : topology.datacenters()) {
            all.add(dc.haproxyRuntime());
            if (dc.checkoutFrontend() != null) all.add(dc.checkoutFrontend().endpoint());
            if (checkoutApps) all.add(dc.checkoutApp());
            for (ShardFrontends f : dc.frontends()) {
                all.add(f.writer());
                all.add(f.reader());
            }
        }
        topology.shards().forEach(s -> s.servers().forEach(server -> all.add(server.endpoint())));
        return all;
    }
}
