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

/** The verdicts the latest reports support right now, before hysteresis smooths them. */
final class Assessment {
    record Raw(Verdict verdict, List<String> reasons) {
    }

    private final HealthPolicy policy;
    private final Collection<Received> latest;
    private final Instant now;

    Assessment(HealthPolicy policy, Collection<Received> latest, Instant now) {
        this.policy = policy;
        this.latest = latest;
        this.now = now;
    }

    Raw dc(String dc) {
        List<Received> own = latest.stream().filter(r -> r.report().dc().equals(dc)).toList();
        List<Received> ownFresh = own.stream().filter(this::fresh).toList();
        Map<String, List<ReachabilityProbe>> observed = observationsOf(dc);
        List<String> unreachableFrom = observed.entrySet().stream()
                .filter(e -> e.getValue().stream().noneMatch(ReachabilityProbe::reachable)).map(Map.Entry::getKey).toList();
        List<String> reachableFrom = observed.keySet().stream().filter(o -> !unreachableFrom.contains(o)).toList();

        if (!ownFresh.isEmpty()) {
            Set<String> reasons = new LinkedHashSet<>();
            ownFresh.forEach(r -> reasons.addAll(localProblems(r)));
            if (!unreachableFrom.isEmpty()) {
                reasons.add("unreachable from " + String.join(", ", unreachableFrom) + " only: its own agents still report");
            }
            reachableFrom.forEach(o -> reasons.addAll(partialFailures(o, observed.get(o))));
            return new Raw(reasons.isEmpty() ? Verdict.HEALTHY : Verdict.DEGRADED, List.copyOf(reasons));
        }

        List<String> reasons = new ArrayList<>();
        reasons.add(silence(dc, own));
        if (observed.isEmpty()) {
            reasons.add("no agent of another DC reports on it");
            return new Raw(Verdict.UNKNOWN, reasons);
        }
        if (reachableFrom.isEmpty()) {
            reasons.add("unreachable from every other reporting DC: " + unreachableFrom.stream()
                    .map(o -> o + " (" + observed.get(o).size() + " of " + observed.get(o).size() + " targets)")
                    .collect(Collectors.joining(", ")));
            return new Raw(Verdict.DOWN, reasons);
        }
        if (!unreachableFrom.isEmpty()) {
            reasons.add("unreachable from " + String.join(", ", unreachableFrom) + " only; reachable from "
                    + String.join(", ", reachableFrom));
        } else {
            reasons.add("reachable from " + String.join(", ", reachableFrom));
        }
        reachableFrom.forEach(o -> reasons.addAll(partialFailures(o, observed.get(o))));
        return new Raw(Verdict.UNKNOWN, reasons);
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

    /** Per observing DC (with a fresh report), its agents' connects to {@code dc}. */
    private Map<String, List<ReachabilityProbe>> observationsOf(String dc) {
        Map<String, List<ReachabilityProbe>> byObserver = new TreeMap<>();
        latest.stream().filter(this::fresh).filter(r -> !r.report().dc().equals(dc))
                .flatMap(r -> r.report().probes().stream())
                .filter(p -> p instanceof ReachabilityProbe rp && rp.toDc().equals(dc))
                .map(ReachabilityProbe.class::cast)
                .forEach(p -> byObserver.computeIfAbsent(p.fromDc(), k -> new ArrayList<>()).add(p));
        return byObserver;
    }

    private static List<String> partialFailures(String observer, List<ReachabilityProbe> probes) {
        List<ReachabilityProbe> failed = probes.stream().filter(p -> !p.reachable()).toList();
        if (failed.isEmpty()) return List.of();
        return List.of("from " + observer + ", " + failed.size() + " of " + probes.size() + " targets unreachable: "
                + failed.stream().map(p -> p.error() == null ? p.targetName() : p.error()).collect(Collectors.joining("; ")));
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
                    else if (!m.writable()) replicaProblem(m.serverId(), m.replicating(), m.ioRunning(), m.sqlRunning(),
                            m.lagSeconds(), m.error()).ifPresent(problems::add);
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
