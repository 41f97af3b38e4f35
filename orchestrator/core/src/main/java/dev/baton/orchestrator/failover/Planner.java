package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.haproxy.HaproxyException;
import dev.baton.orchestrator.mysql.CandidateProblem;
import dev.baton.orchestrator.mysql.DiscoveryException;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.TrafficException;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlannedStep;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Asks every shard's servers where its primary is now (what a runbook is planned against), and
 * details a runbook plan with what the servers say: each shard's fence and candidate with its
 * problems, and what the DNS server and every HAProxy would see change. Only reads: a plan changes
 * nothing, which is what a dry run relies on.
 */
final class Planner {
    private final Topology topology;
    private final Duration maxLag;
    private final DnsDirectors dns;
    private final CheckoutDrain drain;

    Planner(Topology topology, Duration maxLag) {
        this.topology = topology;
        this.maxLag = maxLag;
        this.dns = new DnsDirectors(topology.dns());
        this.drain = new CheckoutDrain(topology);
    }

    /**
     * Where every shard's primary is now, asked of its servers.
     *
     * @throws FailoverRefused when the DCs are unknown or the same, or {@code from} holds no primary
     */
    Discovery discover(String from, String to) {
        Datacenter source = datacenter(from, "from");
        Datacenter target = datacenter(to, "to");
        if (source.equals(target)) {
            throw new FailoverRefused(FailoverRefused.Kind.BAD_REQUEST, "'from' and 'to' are both " + from + "; a failover needs two different DCs");
        }
        List<LiveShard> live = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Orphan> orphans = new ArrayList<>();
        for (Discovered d : discoverAll()) {
            if (d.problem() == null) live.add(d.live());
            else Orphan.of(d, from).ifPresentOrElse(orphans::add, () -> problems.add(d.problem()));
        }
        Discovery discovery = new Discovery(from, to, live, problems, orphans);
        if (discovery.heldBy(from).isEmpty() && problems.isEmpty()) {
            throw new FailoverRefused(FailoverRefused.Kind.CONFLICT, "DC " + from + " holds no shard primaries (primaries: "
                    + live.stream().map(l -> l.shard().name() + " in " + l.primary().server().dc()).collect(Collectors.joining(", "))
                    + "); nothing to fail over");
        }
        return discovery;
    }

    /**
     * The shards a runbook plan moves, as the servers stand, and what its traffic steps would change.
     *
     * @param maxLag a candidate further behind is a problem
     */
    FailoverPlan plan(Discovery discovery, Plan runbook, Duration maxLag) {
        Datacenter target = datacenter(discovery.to(), "to");
        boolean promotes = promotesOrphans(runbook);
        List<ShardPlan> shards = Stream.concat(discovery.live().stream().filter(l -> runbook.shards().contains(l.shard().name())
                                && l.primary().server().dc().equals(discovery.from()))
                        .map(l -> shardPlan(l, target, maxLag)),
                discovery.orphans().stream().filter(o -> runbook.shards().contains(o.shard().name()))
                        .map(o -> orphanPlan(o, discovery.from(), target, promotes))).toList();
        return new FailoverPlan(discovery.from(), discovery.to(), traffic(runbook), shards, discovery.problems());
    }

    FailoverPlan plan(Discovery discovery, Plan runbook) {
        return plan(discovery, runbook, maxLag);
    }

    /**
     * Where each shard's primary is now; shards whose servers could not be asked are in {@code problems},
     * except the {@code orphans}, whose primary is taken to be in {@code from}, unreachable with it.
     */
    record Discovery(String from, String to, List<LiveShard> live, List<String> problems, List<Orphan> orphans) {
        Map<String, String> primaryDcs() {
            Map<String, String> dcs = live.stream().collect(Collectors.toMap(l -> l.shard().name(), l -> l.primary().server().dc()));
            orphans.forEach(o -> dcs.put(o.shard().name(), from));
            return dcs;
        }

        List<String> heldBy(String dc) {
            return primaryDcs().entrySet().stream().filter(e -> e.getValue().equals(dc)).map(Map.Entry::getKey).sorted().toList();
        }
    }

    /**
     * A shard whose primary went down with DC {@code from}: none of its servers is writable, and every
     * one in {@code from} is unreachable while every other one answers read-only. Only a runbook that
     * promotes without asking the old primary (a flip-writer step) can move it.
     *
     * @param problem why discovery could not name its primary
     */
    record Orphan(Shard shard, List<ServerStatus> statuses, String problem) {
        static Optional<Orphan> of(Discovered d, String from) {
            if (d.statuses().isEmpty()) return Optional.empty();
            boolean sourceDown = d.statuses().stream().filter(s -> s.server().dc().equals(from)).allMatch(s -> s instanceof ServerStatus.Down)
                    && d.statuses().stream().anyMatch(s -> s.server().dc().equals(from));
            boolean othersReadOnly = d.statuses().stream().filter(s -> !s.server().dc().equals(from))
                    .allMatch(s -> s instanceof ServerStatus.Up up && up.readOnly());
            return sourceDown && othersReadOnly ? Optional.of(new Orphan(d.shard(), d.statuses(), d.problem())) : Optional.empty();
        }
    }

    /** Whether the runbook promotes without asking the old primaries: what an orphan needs. */
    static boolean promotesOrphans(Plan runbook) {
        return runbook.steps().stream().anyMatch(s -> s.action() instanceof Action.FlipWriters);
    }

    /** The DNS record and LB weights as they are now and as the plan's first DNS and LB steps would set them; reads only. */
    private TrafficPlan traffic(Plan runbook) {
        List<String> problems = new ArrayList<>();
        DnsChange record = null;
        Action.PointRecord point = first(runbook, Action.PointRecord.class).orElse(null);
        if (point != null) {
            try {
                record = dns.via(point.via()).preview(point.address());
            } catch (TrafficException e) {
                problems.add("DNS: " + e.getMessage());
            }
        }
        Action.SetWeights set = first(runbook, Action.SetWeights.class).orElse(null);
        TrafficPlan.LbAction lb = set == null ? null
                : set.action() == Step.LbAction.UNDRAIN ? TrafficPlan.LbAction.UNDRAIN : TrafficPlan.LbAction.DRAIN;
        DrainChange weights = null;
        if (set != null) {
            try {
                weights = lb == TrafficPlan.LbAction.UNDRAIN ? drain.previewUndrain() : drain.previewDrain(set.from(), set.to());
            } catch (TrafficException | HaproxyException e) {
                problems.add("load balancers: " + e.getMessage());
            }
        }
        return new TrafficPlan(record, lb, weights, problems);
    }

    private static <A extends Action> Optional<A> first(Plan runbook, Class<A> kind) {
        return runbook.steps().stream().map(PlannedStep::action).filter(kind::isInstance).map(kind::cast).findFirst();
    }

    /** Whether DC {@code dc}'s own HAProxy sends none of its checkouts to its own app: traffic going there goes home. */
    boolean drained(String dc) {
        return drain.drained(dc);
    }

    private ShardPlan shardPlan(LiveShard live, Datacenter target, Duration maxLag) {
        Shard shard = live.shard();
        DbServer fence = live.primary().server();
        DbServer candidate = shard.serverIn(target.name()).orElse(null);
        if (candidate == null) {
            return new ShardPlan(shard.name(), ServerRef.of(fence), null, List.of(),
                    List.of("shard " + shard.name() + " has no server in " + target.name()));
        }
        List<CandidateProblem> problems = live.candidateReadiness(candidate, maxLag);
        return new ShardPlan(shard.name(), ServerRef.of(fence), ServerRef.of(candidate), flips(shard, candidate),
                problems.stream().map(CandidateProblem::text).toList(), problems.stream().allMatch(CandidateProblem::catchingUp));
    }

    /**
     * An orphan's plan: its server in {@code from} as the (unreachable) one to fence, its server in the
     * target as the candidate, which must answer. For a runbook that cannot promote it, its discovery problem.
     */
    private ShardPlan orphanPlan(Orphan orphan, String from, Datacenter target, boolean promotes) {
        Shard shard = orphan.shard();
        ServerRef fence = shard.serverIn(from).map(ServerRef::of).orElse(null);
        DbServer candidate = shard.serverIn(target.name()).orElse(null);
        List<String> problems = new ArrayList<>();
        if (!promotes) problems.add(orphan.problem() + " (only a runbook with a flip-writer step promotes a shard whose primary is unreachable)");
        if (candidate == null) {
            problems.add("shard " + shard.name() + " has no server in " + target.name());
            return new ShardPlan(shard.name(), fence, null, List.of(), problems);
        }
        orphan.statuses().stream().filter(s -> s.server().equals(candidate) && s instanceof ServerStatus.Down)
                .forEach(s -> problems.add("candidate " + candidate.id() + " at " + candidate.endpoint() + " is unreachable: "
                        + ((ServerStatus.Down) s).reason()));
        return new ShardPlan(shard.name(), fence, ServerRef.of(candidate), flips(shard, candidate), problems);
    }

    private List<FrontendFlip> flips(Shard shard, DbServer candidate) {
        return topology.datacenters().stream()
                .flatMap(dc -> dc.frontendsOf(shard.name()).stream()
                        .map(f -> new FrontendFlip(dc.name(), dc.haproxyRuntime(), f.writer(), f.writerBackend(), f.writerServer(),
                                candidate.endpoint())))
                .toList();
    }

    /**
     * Every shard's primary DC as the servers say now, whichever DC holds them (unlike {@link #discover}).
     *
     * @throws IllegalStateException naming each shard whose primary could not be found
     */
    Map<String, String> primaryDcs() {
        List<Discovered> all = discoverAll();
        List<String> problems = all.stream().map(Discovered::problem).filter(p -> p != null).toList();
        if (!problems.isEmpty()) throw new IllegalStateException("cannot tell where every primary is: " + String.join("; ", problems));
        return all.stream().collect(Collectors.toMap(d -> d.shard().name(), d -> d.live().primary().server().dc()));
    }

    /** @param statuses every server's, when they could be asked (empty otherwise) */
    private record Discovered(Shard shard, LiveShard live, String problem, List<ServerStatus> statuses) {
    }

    private List<Discovered> discoverAll() {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Discovered>> futures = topology.shards().stream().map(s -> pool.submit(() -> {
                List<ServerStatus> statuses = List.of();
                try {
                    statuses = LiveShard.look(s, topology.credentials());
                    return new Discovered(s, LiveShard.of(s, statuses), null, statuses);
                } catch (DiscoveryException e) {
                    return new Discovered(s, null, e.getMessage(), statuses);
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
