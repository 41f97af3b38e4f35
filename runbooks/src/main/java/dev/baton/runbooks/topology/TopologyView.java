package dev.baton.runbooks.topology;

import java.util.List;
import java.util.Optional;

/**
 * The part of the world a runbook is planned against. The runbook language depends on nothing of
 * Baton's, so the orchestrator adapts its own topology into this view.
 *
 * @param records the DNS records a runbook may point; the first is the default of {@code drain-dns}
 */
public record TopologyView(List<Dc> datacenters, List<Shard> shards, List<DnsRecord> records) {
    public TopologyView {
        datacenters = List.copyOf(datacenters);
        shards = List.copyOf(shards);
        records = List.copyOf(records);
    }

    public Optional<Dc> dc(String name) {
        return datacenters.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    public Optional<Shard> shard(String name) {
        return shards.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public List<String> dcNames() {
        return datacenters.stream().map(Dc::name).toList();
    }

    public List<String> shardNames() {
        return shards.stream().map(Shard::name).toList();
    }

    public record Address(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * @param checkout the DC HAProxy's checkout frontend, or null when the DC has none
     * @param writers  per shard, the writer frontend of this DC's HAProxy
     */
    public record Dc(String name, String address, Address haproxyRuntime, Address checkoutApp, CheckoutLb checkout,
                     List<WriterFrontend> writers) {
        public Dc {
            writers = List.copyOf(writers);
        }

        public Optional<WriterFrontend> writer(String shard) {
            return writers.stream().filter(w -> w.shard().equals(shard)).findFirst();
        }
    }

    /** A checkout frontend whose backend has one server per DC's checkout app, named after the DC. */
    public record CheckoutLb(Address frontend, String backend) {
    }

    /** A shard's writer frontend in one HAProxy: its backend's one server is what a switchover repoints. */
    public record WriterFrontend(String shard, Address frontend, String backend, String server) {
    }

    /** @param primaryDc where the shard's primary is, as the orchestrator last knew it */
    public record Shard(String name, List<Server> servers, String primaryDc) {
        public Shard {
            servers = List.copyOf(servers);
        }

        public Optional<Server> serverIn(String dc) {
            return servers.stream().filter(s -> s.dc().equals(dc)).findFirst();
        }
    }

    public record Server(String id, String dc, Address address) {
    }

    /**
     * @param name   fully qualified, with its trailing dot
     * @param server the authoritative server that serves it and takes changes to it
     */
    public record DnsRecord(String zone, String name, int ttl, DnsServer server) {
    }

    /**
     * What a drain-dns step may talk to: what a plan shows of it, never a secret.
     *
     * @param address where DNS queries and RFC 2136 updates go
     * @param api     the PowerDNS HTTP API's base URL; null when the server has none
     * @param tsig    the key RFC 2136 updates are signed with; null when the topology has none
     */
    public record DnsServer(Address address, String api, TsigKey tsig) {
    }

    /** A TSIG key as a plan names it: its name and algorithm (the secret stays with the orchestrator). */
    public record TsigKey(String name, String algorithm) {
    }
}
