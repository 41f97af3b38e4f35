package dev.baton.orchestrator.health;

import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** A small topology and healthy reports for it, with one method per fault the rules must see. */
final class Reports {
    static final String GTID = "0-1-42";

    private Reports() {
    }

    /** Two shards; every primary in the first DC, a replica in each other. */
    static Topology topology(String... dcs) {
        List<Datacenter> datacenters = IntStream.range(0, dcs.length).mapToObj(i -> new Datacenter(dcs[i], address(i),
                new Endpoint(address(i), 9000), new Endpoint(address(i), 8080), List.of(
                new ShardFrontends("s1", new Endpoint(address(i), 4001), "w_s1", "primary", new Endpoint(address(i), 5001), "r_s1"),
                new ShardFrontends("s2", new Endpoint(address(i), 4002), "w_s2", "primary", new Endpoint(address(i), 5002), "r_s2")), null))
                .toList();
        List<Shard> shards = IntStream.rangeClosed(1, 2).mapToObj(s -> new Shard("s" + s, s - 1,
                IntStream.range(0, dcs.length).mapToObj(i -> new DbServer("s" + s + "-" + dcs[i], "s" + s, dcs[i],
                        new Endpoint(address(i), 3300 + s), i == 0 ? Role.PRIMARY : Role.REPLICA)).toList())).toList();
        return new Topology("test", datacenters, shards,
                new Dns("example.test", "checkout.example.test.", 1, new Endpoint("127.0.0.1", 5353), "http://127.0.0.1:8081", "k"),
                new Endpoint("127.0.0.1", 2181), new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    /**
     * What coordinator {@code coordinator} running in {@code dc} sees at {@code at}: every DC's HAProxy
     * and MariaDB servers answer, except those of the DCs in {@code unreachable}.
     */
    static CoordinatorObservation observation(Topology topology, String coordinator, String dc, Instant at, String... unreachable) {
        List<String> cut = List.of(unreachable);
        return new CoordinatorObservation(coordinator, dc, at, topology.datacenters().stream().map(d -> {
            List<String> targets = new ArrayList<>();
            targets.add("haproxy " + d.name() + " at " + d.haproxyRuntime());
            topology.shards().forEach(sh -> sh.serverIn(d.name()).ifPresent(s -> targets.add("mariadb " + s.id() + " at " + s.endpoint())));
            return new DcReach(d.name(), targets.size(), cut.contains(d.name())
                    ? targets.stream().map(t -> t + ": Connection refused").toList() : List.of());
        }).toList());
    }

    private static String address(int dcIndex) {
        return "127.0." + (dcIndex + 1) + ".1";
    }

    /** What one agent of {@code dc} would report when everything works. */
    static final class Builder {
        private final String agentId;
        private final String dc;
        private final Map<String, MariaDbProbe> servers = new LinkedHashMap<>();
        private HaproxyProbe haproxy;
        private HttpProbe app;
        private final List<ReachabilityProbe> links = new ArrayList<>();

        Builder(Topology topology, String agentId, String dc) {
            this.agentId = agentId;
            this.dc = dc;
            Datacenter here = topology.datacenter(dc).orElseThrow();
            for (Shard shard : topology.shards()) {
                shard.serverIn(dc).ifPresent(s -> servers.put(s.id(), s.role() == Role.PRIMARY
                        ? new MariaDbProbe(s.id(), s.endpoint(), true, false, false, false, false, null, GTID, GTID, 1, null)
                        : new MariaDbProbe(s.id(), s.endpoint(), true, true, true, true, true, 0L, "", GTID, 1, null)));
            }
            haproxy = new HaproxyProbe(dc, here.haproxyRuntime(), true, List.of(), 1, null);
            app = new HttpProbe("checkout " + dc, "http://" + here.checkoutApp() + "/health", 200, 1, null);
            for (Datacenter other : topology.datacenters()) {
                if (other.name().equals(dc)) continue;
                links.add(new ReachabilityProbe(dc, other.name(), "haproxy " + other.name(), other.haproxyRuntime(), true, 1, null));
                topology.shards().forEach(shard -> shard.serverIn(other.name()).ifPresent(s -> links.add(
                        new ReachabilityProbe(dc, other.name(), "mariadb " + s.id(), s.endpoint(), true, 1, null))));
            }
        }

        Builder serverDown(String id) {
            MariaDbProbe m = servers.get(id);
            servers.put(id, MariaDbProbe.unreachable(id, m.endpoint(), 1000, id + " at " + m.endpoint() + ": Connection refused"));
            return this;
        }

        Builder replicationStopped(String id) {
            MariaDbProbe m = servers.get(id);
            servers.put(id, new MariaDbProbe(id, m.endpoint(), true, true, true, false, true, null, "", GTID, 1,
                    "IO: error connecting to master"));
            return this;
        }

        Builder lag(String id, long seconds) {
            MariaDbProbe m = servers.get(id);
            servers.put(id, new MariaDbProbe(id, m.endpoint(), true, true, true, true, true, seconds, "", GTID, 1, null));
            return this;
        }

        Builder writable(String id) {
            MariaDbProbe m = servers.get(id);
            servers.put(id, new MariaDbProbe(id, m.endpoint(), true, false, false, false, false, null, GTID, GTID, 1, null));
            return this;
        }

        Builder haproxyDown() {
            haproxy = new HaproxyProbe(dc, haproxy.runtime(), false, List.of(), 1000,
                    "HAProxy runtime API of " + dc + " at " + haproxy.runtime() + ": Connection refused");
            return this;
        }

        Builder checkoutFailing() {
            app = new HttpProbe(app.name(), app.url(), 503, 3, null);
            return this;
        }

        /** Every connect to {@code other} fails. */
        Builder cannotReach(String other) {
            links.replaceAll(l -> l.toDc().equals(other) ? refused(l) : l);
            return this;
        }

        Builder cannotReachTarget(String targetName) {
            links.replaceAll(l -> l.targetName().equals(targetName) ? refused(l) : l);
            return this;
        }

        private static ReachabilityProbe refused(ReachabilityProbe l) {
            return new ReachabilityProbe(l.fromDc(), l.toDc(), l.targetName(), l.target(), false, 1000,
                    l.targetName() + " at " + l.target() + ": Connection refused");
        }

        HealthReport build(long sequence, Instant sentAt) {
            List<Probe> probes = new ArrayList<>(servers.values());
            probes.add(haproxy);
            probes.add(app);
            probes.addAll(links);
            return new HealthReport(agentId, dc, sequence, sentAt, probes);
        }
    }
}
