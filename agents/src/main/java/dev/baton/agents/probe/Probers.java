package dev.baton.agents.probe;

import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/** The probes of one DC's agent, as the issue lists them, from the topology. */
public final class Probers {
    private Probers() {
    }

    /**
     * Every MariaDB server in {@code dc}, the DC's HAProxy, its checkout app's {@code /health},
     * and TCP connects to every other DC: its HAProxy runtime API, and one of its MariaDB servers in turn.
     */
    public static List<Prober> forDc(Topology topology, String dc, Duration timeout) {
        Datacenter here = topology.datacenter(dc).orElseThrow(() -> new NoSuchElementException(
                "unknown datacenter " + dc + "; the topology has " + topology.datacenterNames()));
        List<Prober> probers = new ArrayList<>();
        topology.shards().forEach(shard -> shard.serverIn(dc)
                .ifPresent(server -> probers.add(new MariaDbProber(server, topology.credentials(), timeout))));
        probers.add(new HaproxyProber(dc, here.haproxyRuntime(), timeout));
        Endpoint app = here.checkoutApp();
        probers.add(new HttpProber("checkout " + dc, URI.create("http://" + app.host() + ":" + app.port() + "/health"), timeout));
        for (Datacenter other : topology.datacenters()) {
            if (other.name().equals(dc)) continue;
            probers.add(new ReachabilityProber(dc, other.name(), "haproxy " + other.name(), other.haproxyRuntime(), timeout));
            List<ReachabilityProber.Target> servers = topology.shards().stream().flatMap(shard -> shard.serverIn(other.name()).stream())
                    .map(server -> new ReachabilityProber.Target("mariadb " + server.id(), server.endpoint())).toList();
            // One of the other DC's servers per round, in turn: the link is what is asked, and the servers themselves are
            // that DC's agent's to judge; a connect to each every second cost more than the rest of the agent's round.
            if (!servers.isEmpty()) probers.add(new ReachabilityProber(dc, other.name(), servers, timeout));
        }
        return probers;
    }
}
