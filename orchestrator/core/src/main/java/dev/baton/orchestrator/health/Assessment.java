package dev.baton.orchestrator.health;

import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The verdicts the latest reports and coordinator observations support right now, before
 * hysteresis smooths them.
 * <p>
 * Outside observers of a DC are the agents of every other DC (one observer per DC) and every
 * coordinator running outside it whose observation is fresh. DOWN needs two kinds of evidence:
 * the DC's own agents silent, and every outside observer (at least one) unable to connect to any
 * of its targets. Any outside observer that still connects, a DC whose agents still report, or
 * a coordinator inside it that still connects to it, keeps it from DOWN, and the reasons name who
 * disagrees.
 */
final class Assessment {
    /** @param observedBy every coordinator's observation of the DC, for the API: the verdict's evidence */
    record Raw(Verdict verdict, List<String> reasons, List<CoordinatorEvidence> observedBy) {
    }

    /** One outside observer's connects to a DC: the agents of one DC together, or one coordinator. */
    private record Sighting(String observer, int targets, List<String> failures) {
        boolean reachable() {
            return failures.size() < targets;
        }

        String tally() {
            return observer + " (" + failures.size() + " of " + targets + " targets)";
        }

        Optional<String> partialFailure() {
            if (failures.isEmpty()) return Optional.empty();
            return Optional.of("from " + observer + ", " + failures.size() + " of " + targets + " targets unreachable: "
                    + String.join("; ", failures));
        }
    }

    private final HealthPolicy policy;
    private final List<Shard> shards;
    private final Collection<Received> latest;
    private final Collection<Observed> observations;
    private final Instant now;

    Assessment(HealthPolicy policy, List<Shard> shards, Collection<Received> latest, Collection<Observed> observations, Instant now) {
        this.policy = policy;
        this.shards = shards;
        this.latest = latest;
        this.observations = observations;
        this.now = now;
    }

    Raw dc(String dc) {
        List<Received> own = latest.stream().filter(r -> r.report().dc().equals(dc)).toList();
        List<Received> ownFresh = own.stream().filter(this::fresh).toList();
        List<CoordinatorEvidence> evidence = evidenceOf(dc);
        List<Sighting> sightings = new ArrayList<>(agentSightingsOf(dc));
        evidence.stream().filter(e -> e.outside() && e.fresh())
                .forEach(e -> sightings.add(new Sighting(coordinator(e), e.targets(), e.failures())));
        List<Sighting> unreachable = sightings.stream().filter(o -> !o.reachable()).toList();
        List<Sighting> reaching = sightings.stream().filter(Sighting::reachable).toList();

        if (!ownFresh.isEmpty()) {
            Set<String> reasons = new LinkedHashSet<>();
            ownFresh.forEach(r -> reasons.addAll(localProblems(r)));
            if (!unreachable.isEmpty()) reasons.add("unreachable from " + names(unreachable) + " only: its own agents still report");
            reaching.forEach(o -> o.partialFailure().ifPresent(reasons::add));
            return new Raw(reasons.isEmpty() ? Verdict.HEALTHY : Verdict.DEGRADED, List.copyOf(reasons), evidence);
        }

        List<String> reasons = new ArrayList<>();
        reasons.add(silence(dc, own));
        // Only where it could matter: a stale observation of a DC whose agents report changes nothing.
        evidence.stream().filter(e -> e.outside() && !e.fresh()).forEach(e -> reasons.add("ignored " + coordinator(e)
                + ": its last observation is " + seconds(Duration.ofMillis(e.ageMs())) + " old (stale after "
                + seconds(policy.observationStaleAfter()) + ")"));
        if (sightings.isEmpty()) {
            reasons.add("no agent of another DC and no coordinator outside it reports on it");
            return new Raw(Verdict.UNKNOWN, reasons, evidence);
        }
        if (reaching.isEmpty()) {
            reasons.add("unreachable from every outside observer: "
                    + unreachable.stream().map(Sighting::tally).collect(Collectors.joining(", ")));
            // Its own coordinator still publishing that it connects means the DC lives and only its links are cut:
            // with two DCs, the agents' reports cross the same cut link and look like silence.
            List<String> inside = evidence.stream().filter(e -> !e.outside() && e.fresh() && e.reachable())
                    .map(Assessment::coordinator).toList();
            if (!inside.isEmpty()) {
                reasons.add("but " + String.join(", ", inside) + " still connects to it from inside: cut off, not down");
                return new Raw(Verdict.UNKNOWN, reasons, evidence);
            }
            return new Raw(Verdict.DOWN, reasons, evidence);
        }
        reasons.add(unreachable.isEmpty() ? "reachable from " + names(reaching)
                : "unreachable from " + names(unreachable) + " only; reachable from " + names(reaching));
        reaching.forEach(o -> o.partialFailure().ifPresent(reasons::add));
        return new Raw(Verdict.UNKNOWN, reasons, evidence);
    }

    ShardHealth shard(Shard shard) {
        List<ServerHealth> servers = shard.servers().stream().map(this::server).toList();
        List<String> writable = servers.stream().filter(ServerHealth::writable).map(ServerHealth::serverId).toList();
        List<String> problems = new ArrayList<>();
        List<String> unreported = servers.stream().filter(s -> !s.reported()).map(ServerHealth::serverId).toList();
        if (writable.isEmpty()) {
            problems.add("no writable primary" + (unreported.isEmpty() ? "" : " among the reported servers (no fresh report for "
                    + String.join(", ", unreported) + ")"));
        } else if (writable.size() > 1) {
            problems.add(writable.size() + " writable primaries: " + String.join(", ", writable));
        }
        for (ServerHealth s : servers) {
            if (!s.reported()) {
                problems.add("no fresh report for " + s.serverId());
            } else if (!s.reachable()) {
                problems.add(s.serverId() + " unreachable: " + s.error());
            } else if (!s.writable()) {
                replicaProblem(s).ifPresent(problems::add);
            }
        }
        return new ShardHealth(shard.name(), writable, servers, problems);
    }

    private ServerHealth server(DbServer server) {
        return latest.stream().filter(this::fresh).sorted(Comparator.comparing(Received::receivedAt).reversed())
                .flatMap(r -> r.report().probes().stream())
                .filter(p -> p instanceof MariaDbProbe m && m.serverId().equals(server.id()))
                .map(MariaDbProbe.class::cast).findFirst()
                .map(m -> new ServerHealth(m.serverId(), server.dc(), true, m.reachable(), m.writable(), m.replicating(),
                        m.ioRunning(), m.sqlRunning(), m.lagSeconds(), m.gtidCurrentPos(), m.error()))
                .orElseGet(() -> ServerHealth.unreported(server.id(), server.dc()));
    }

    private boolean fresh(Received r) {
        return r.freshAt(now, policy.silentAfter());
    }

    /** Per observing DC with a fresh report, its agents' connects to {@code dc} as one observer. */
    private List<Sighting> agentSightingsOf(String dc) {
        Map<String, List<ReachabilityProbe>> byObserver = new TreeMap<>();
        latest.stream().filter(this::fresh).filter(r -> !r.report().dc().equals(dc))
                .flatMap(r -> r.report().probes().stream())
                .filter(p -> p instanceof ReachabilityProbe rp && rp.toDc().equals(dc))
                .map(ReachabilityProbe.class::cast)
                .forEach(p -> byObserver.computeIfAbsent(p.fromDc(), k -> new ArrayList<>()).add(p));
        return byObserver.entrySet().stream().map(e -> new Sighting("agents of " + e.getKey(), e.getValue().size(),
                e.getValue().stream().filter(p -> !p.reachable())
                        .map(p -> p.error() == null ? p.targetName() : p.error()).toList())).toList();
    }

    /** Every coordinator's latest observation of {@code dc}, by coordinator id. */
    private List<CoordinatorEvidence> evidenceOf(String dc) {
        return observations.stream().sorted(Comparator.comparing(o -> o.observation().coordinator()))
                .flatMap(o -> o.observation().of(dc).stream().map(reach -> new CoordinatorEvidence(
                        o.observation().coordinator(), o.observation().dc(), !o.observation().dc().equals(dc),
                        o.observation().at(), o.ageAt(now).toMillis(), o.freshAt(now, policy.observationStaleAfter()),
                        reach.reachable(), reach.targets(), reach.failures())))
                .toList();
    }

    private static String coordinator(CoordinatorEvidence e) {
        return "coordinator " + e.coordinator() + " in " + e.from();
    }

    private static String names(List<Sighting> sightings) {
        return sightings.stream().map(Sighting::observer).collect(Collectors.joining(", "));
    }

    private String silence(String dc, List<Received> own) {
        if (own.isEmpty()) return "no report ever from an agent of " + dc;
        return "its agents are silent: " + own.stream().sorted(Comparator.comparing(r -> r.report().agentId()))
                .map(r -> r.report().agentId() + " last heard " + seconds(Duration.between(r.receivedAt(), now)) + " ago")
                .collect(Collectors.joining(", "));
    }

    private List<String> localProblems(Received received) {
        List<String> problems = new ArrayList<>();
        for (Probe probe : received.report().probes()) {
            switch (probe) {
                case MariaDbProbe m -> {
                    if (!m.reachable()) problems.add(m.serverId() + " unreachable: " + m.error());
                    else if (m.writable() && m.replicating()) problems.add(m.serverId() + " is writable but replicates");
                    else if (!m.writable() && !waitsForDownPrimary(m)) replicaProblem(m.serverId(), m.replicating(),
                            m.ioRunning(), m.sqlRunning(), m.lagSeconds(), m.error()).ifPresent(problems::add);
                }
                case HaproxyProbe h -> {
                    if (!h.reachable()) problems.add(h.error());
                    h.servers().stream().filter(s -> s.state().equals("STOPPED")).forEach(s -> problems.add(
                            "HAProxy of " + h.dc() + ": " + s.backend() + "/" + s.name() + " (" + s.address() + ":" + s.port()
                                    + ") is STOPPED"));
                }
                case HttpProbe p -> {
                    if (!p.healthy()) problems.add(p.name() + " at " + p.url() + ": "
                            + (p.error() != null ? p.error() : "status " + p.status()));
                }
                // Evidence about other DCs, used in theirs.
                case ReachabilityProbe ignored -> {
                }
            }
        }
        return problems;
    }

    /**
     * A replica whose IO thread cannot reach its primary because that primary's DC is DOWN: every replica of
     * a dead DC's primaries is in that state, and it must not make the DC that should take over look
     * unhealthy (the emergency runbook's precheck asks for a healthy target). Only when no server of the
     * shard is writable anywhere (its primary was in the dead DC) and one of them is in a DC that is DOWN;
     * the shard's own health still lists the replica.
     */
    private boolean waitsForDownPrimary(MariaDbProbe replica) {
        if (replica.ioRunning()) return false;
        Optional<Shard> shard = shards.stream().filter(s -> s.servers().stream().anyMatch(d -> d.id().equals(replica.serverId())))
                .findFirst();
        if (shard.isEmpty()) return false;
        List<DbServer> servers = shard.get().servers();
        if (servers.stream().map(this::server).anyMatch(ServerHealth::writable)) return false;
        return servers.stream().map(DbServer::dc).distinct().anyMatch(this::down);
    }

    /** Raw DOWN, asked without judging the DC's own reports: a DC with fresh reports of its own is never DOWN. */
    private boolean down(String dc) {
        if (latest.stream().anyMatch(r -> r.report().dc().equals(dc) && fresh(r))) return false;
        return dc(dc).verdict() == Verdict.DOWN;
    }

    private Optional<String> replicaProblem(ServerHealth s) {
        return replicaProblem(s.serverId(), s.replicating(), s.ioRunning(), s.sqlRunning(), s.lagSeconds(), s.error());
    }

    private Optional<String> replicaProblem(String id, boolean replicating, boolean io, boolean sql, Long lag, String error) {
        if (!replicating) return Optional.of(id + " is read-only and not replicating");
        if (!io || !sql) {
            return Optional.of(id + " replication stopped (IO thread " + (io ? "running" : "stopped") + ", SQL thread "
                    + (sql ? "running" : "stopped") + ")" + (error == null ? "" : ": " + error));
        }
        if (lag != null && lag > policy.maxLagSeconds()) {
            return Optional.of(id + " lags " + lag + " s (threshold " + policy.maxLagSeconds() + " s)");
        }
        return Optional.empty();
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
