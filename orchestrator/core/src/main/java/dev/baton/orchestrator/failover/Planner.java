package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.haproxy.HaproxyException;
import dev.baton.orchestrator.mysql.DiscoveryException;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.traffic.CheckoutDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.TrafficException;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Turns "from DC A to DC B" into a concrete plan by asking every shard's servers where its
 * primary is now, and the DNS API and every HAProxy what the traffic steps would change. Only reads: a plan changes nothing, which is what a dry run relies on.
 */
final class Planner {
    private final Topology topology;
    private final Duration maxLag;
    private final CheckoutDns dns;
    private final CheckoutDrain drain;

    Planner(Topology topology, Duration maxLag) {
        this.topology = topology;
        this.maxLag = maxLag;
        this.dns = new CheckoutDns(topology.dns());
        this.drain = new CheckoutDrain(topology);
    }

    /** @throws FailoverRefused when the DCs are unknown or the same, or {@code from} holds no primary */
    FailoverPlan plan(String from, String to) {
        Datacenter source = datacenter(from, "from");
        Datacenter target = datacenter(to, "to");
        if (source.equals(target)) {
            throw new FailoverRefused(FailoverRefused.Kind.BAD_REQUEST, "'from' and 'to' are both " + from + "; a failover needs two different DCs");
        }
        List<ShardPlan> shards = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (Discovered d : discoverAll()) {
            if (d.problem() != null) {
                problems.add(d.problem());
            } else if (d.live().primary().server().dc().equals(from)) {
                shards.add(shardPlan(d.live(), target));
            } else {
                elsewhere.add(d.live().shard().name() + " in " + d.live().primary().server().dc());
            }
        }
        if (shards.isEmpty() && problems.isEmpty()) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "DC " + from + " holds no shard primaries (primaries: "
                    + String.join(", ", elsewhere) + "); nothing to fail over");
        }
        return new FailoverPlan(from, to, traffic(source, target), shards, problems);
    }

    /** The DNS record and LB weights as they are now and as the failover would set them; reads only. */
    private TrafficPlan traffic(Datacenter source, Datacenter target) {
        List<String> problems = new ArrayList<>();
        DnsChange record = null;
        try {
            record = dns.preview(target.address());
        } catch (TrafficException e) {
            problems.add("DNS: " + e.getMessage());
        }
        TrafficPlan.LbAction lb = TrafficPlan.LbAction.DRAIN;
        DrainChange weights = null;
        try {
            // Into a DC that is itself drained, traffic goes home: that is a fail-back, and it undrains.
            lb = drain.drained(target.name()) ? TrafficPlan.LbAction.UNDRAIN : TrafficPlan.LbAction.DRAIN;
            weights = lb == TrafficPlan.LbAction.UNDRAIN ? drain.previewUndrain() : drain.previewDrain(source.name(), target.name());
        } catch (TrafficException | HaproxyException e) {
            problems.add("load balancers: " + e.getMessage());
        }
        return new TrafficPlan(record, lb, weights, problems);
    }

    private ShardPlan shardPlan(LiveShard live, Datacenter target) {
        Shard shard = live.shard();
        DbServer fence = live.primary().server();
        DbServer candidate = shard.serverIn(target.name()).orElse(null);
        if (candidate == null) {
            return new ShardPlan(shard.name(), ServerRef.of(fence), null, List.of(),
                    List.of("shard " + shard.name() + " has no server in " + target.name()));
        }
        List<FrontendFlip> flips = topology.datacenters().stream()
                .flatMap(dc -> dc.frontendsOf(shard.name()).stream()
                        .map(f -> new FrontendFlip(dc.name(), dc.haproxyRuntime(), f.writer(), f.writerBackend(), f.writerServer(),
                                candidate.endpoint())))
                .toList();
        return new ShardPlan(shard.name(), ServerRef.of(fence), ServerRef.of(candidate), flips,
                live.candidateProblems(candidate, maxLag));
    }

    private record Discovered(LiveShard live, String problem) {
    }

    private List<Discovered> discoverAll() {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Discovered>> futures = topology.shards().stream().map(s -> pool.submit(() -> {
                try {
                    return new Discovered(LiveShard.discover(s, topology.credentials()), null);
                } catch (DiscoveryException e) {
                    return new Discovered(null, e.getMessage());
                }
            })).toList();
            List<Discovered> all = new ArrayList<>();
            for (Future<Discovered> f : futures) all.add(f.get());
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while discovering the shards", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("discovering the shards failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    Datacenter datacenter(String name, String field) {
        return topology.datacenter(name).orElseThrow(() -> new FailoverRefused(FailoverRefused.Kind.NOT_FOUND,
                "'" + field + "': unknown DC '" + name + "'; known: " + topology.datacenters().stream()
                        .map(Datacenter::name).collect(Collectors.joining(", "))));
    }
}
