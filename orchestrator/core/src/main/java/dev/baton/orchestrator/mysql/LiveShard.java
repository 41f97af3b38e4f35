package dev.baton.orchestrator.mysql;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * A shard's roles as its servers report them now. The topology's recorded roles are only where
 * to look: after any switchover the servers are the truth.
 *
 * @param primary  the one writable server that does not replicate
 * @param others   every other server, reachable or not
 */
public record LiveShard(Shard shard, ServerStatus.Up primary, List<ServerStatus> others) {

    public LiveShard {
        others = List.copyOf(others);
    }

    /** Asks every server of the shard in parallel; fails, naming them, unless exactly one is a writable primary. */
    public static LiveShard discover(Shard shard, Credentials credentials) {
        List<MariaDbServer> servers = shard.servers().stream().map(s -> new MariaDbServer(s, credentials)).toList();
        try {
            return discover(shard, servers);
        } finally {
            servers.forEach(MariaDbServer::close);
        }
    }

    /**
     * The same through actuators the caller keeps: their connections stay open for what follows
     * (a switchover then pays no new connection, and a server at max_connections still lets it in).
     */
    public static LiveShard discover(Shard shard, List<MariaDbServer> servers) {
        return of(shard, statuses(shard, servers));
    }

    /**
     * Every server's status, asked in parallel, in the shard's server order; a server that does not
     * answer is {@link ServerStatus.Down}. What {@link #of} judges, for a caller that must also see the
     * shard when it has no single writable primary (its primary's DC is down).
     */
    public static List<ServerStatus> look(Shard shard, Credentials credentials) {
        List<MariaDbServer> servers = shard.servers().stream().map(s -> new MariaDbServer(s, credentials)).toList();
        try {
            return statuses(shard, servers);
        } finally {
            servers.forEach(MariaDbServer::close);
        }
    }

    private static List<ServerStatus> statuses(Shard shard, List<MariaDbServer> servers) {
        List<ServerStatus> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("discover-", 0).daemon().factory())) {
            List<Future<ServerStatus>> futures = servers.stream().map(s -> pool.submit(s::status)).toList();
            for (Future<ServerStatus> f : futures) statuses.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiscoveryException("interrupted while discovering shard " + shard.name());
        } catch (ExecutionException e) {
            throw new DiscoveryException("cannot discover shard " + shard.name() + ": " + e.getCause().getMessage());
        }
        return statuses;
    }

    /** The shard's roles from statuses already read; fails, naming them, unless exactly one is a writable primary. */
    public static LiveShard of(Shard shard, List<ServerStatus> statuses) {
        List<ServerStatus.Up> primaries = statuses.stream()
                .filter(s -> s instanceof ServerStatus.Up up && up.writablePrimary())
                .map(ServerStatus.Up.class::cast).toList();
        if (primaries.size() != 1) {
            String down = statuses.stream().filter(s -> s instanceof ServerStatus.Down)
                    .map(s -> s.server().id() + " (" + ((ServerStatus.Down) s).reason() + ")")
                    .collect(Collectors.joining("; "));
            throw new DiscoveryException("shard " + shard.name() + " has " + (primaries.isEmpty() ? "no" : primaries.size())
                    + " writable primaries" + (primaries.isEmpty() ? "" : ": " + primaries.stream()
                    .map(p -> p.server().id() + " at " + p.server().endpoint()).collect(Collectors.joining(", ")))
                    + (down.isEmpty() ? "" : "; unreachable: " + down));
        }
        ServerStatus.Up primary = primaries.getFirst();
        return new LiveShard(shard, primary, statuses.stream().filter(s -> s != primary).toList());
    }

    public ServerStatus other(DbServer server) {
        return others.stream().filter(s -> s.server().id().equals(server.id())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(server.id() + " is not a non-primary server of shard " + shard.name()));
    }

    /**
     * Why {@code candidate} cannot take over from the primary now; empty when it can. Every
     * problem is listed, so one refusal tells the operator everything to fix.
     */
    public List<String> candidateProblems(DbServer candidate, Duration maxLag) {
        return candidateReadiness(candidate, maxLag).stream().map(CandidateProblem::text).toList();
    }

    /** {@link #candidateProblems}, each marked whether it clears by itself (the candidate only catching up). */
    public List<CandidateProblem> candidateReadiness(DbServer candidate, Duration maxLag) {
        String name = candidate.id() + " at " + candidate.endpoint();
        if (!(other(candidate) instanceof ServerStatus.Up c)) {
            return List.of(CandidateProblem.needsAPerson("candidate " + name + " is unreachable: "
                    + ((ServerStatus.Down) other(candidate)).reason()));
        }
        List<CandidateProblem> problems = new ArrayList<>();
        // The primary's own GTIDs are never errant: the candidate may simply have been asked a moment
        // after the primary and already hold a newer one.
        List<GtidPosition.Gtid> errant = c.binlogState().notIn(primary.binlogState()).stream()
                .filter(g -> g.server() != primary.serverId()).toList();
        if (!errant.isEmpty()) {
            problems.add(CandidateProblem.needsAPerson("candidate " + name + " has errant GTIDs the primary " + primary.server().id()
                    + " never had: " + errant.stream().map(Object::toString).collect(Collectors.joining(","))));
        }
        if (!c.logSlaveUpdates()) problems.add(CandidateProblem.needsAPerson("candidate " + name + " has log_slave_updates OFF"));
        if (c.replication().isEmpty()) {
            problems.add(CandidateProblem.needsAPerson("candidate " + name + " does not replicate from anything"));
            return problems;
        }
        ServerStatus.Replication r = c.replication().get();
        if (!r.replicatesFrom(primary.server().endpoint())) {
            problems.add(CandidateProblem.needsAPerson("candidate " + name + " replicates from " + r.master() + ", not from the primary "
                    + primary.server().id() + " at " + primary.server().endpoint()));
        }
        if (!r.ioRunning()) {
            String text = "candidate " + name + " replication IO thread is not running (" + r.ioState() + ")"
                    + (r.lastIoError().isBlank() ? "" : ": " + r.lastIoError());
            // Just after START SLAVE (a repoint) the IO thread connects for a moment; with an error it is failing.
            boolean reconnecting = r.lastIoError().isBlank() && String.valueOf(r.ioState()).startsWith("Connecting");
            problems.add(reconnecting ? CandidateProblem.catchingUp(text) : CandidateProblem.needsAPerson(text));
        }
        if (!r.sqlRunning()) {
            problems.add(CandidateProblem.needsAPerson("candidate " + name + " replication SQL thread is not running"
                    + (r.lastSqlError().isBlank() ? "" : ": " + r.lastSqlError())));
        }
        // Seconds_Behind_Master can stay up for a moment after the last event is applied (seen in CI: 5 s with 0
        // transactions behind); with nothing left to apply the candidate is not lagging, whatever it says.
        long transactionsBehind = c.currentPos().behind(primary.binlogPos());
        r.secondsBehind().filter(s -> s > maxLag.toSeconds() && transactionsBehind > 0).ifPresent(s -> problems.add(
                CandidateProblem.catchingUp("candidate " + name + " is lagging " + s + " s behind the primary (limit "
                        + maxLag.toSeconds() + " s), " + transactionsBehind + " transactions behind")));
        if (!"Slave_Pos".equalsIgnoreCase(r.usingGtid()) && !"Current_Pos".equalsIgnoreCase(r.usingGtid())) {
            problems.add(CandidateProblem.needsAPerson("candidate " + name + " does not replicate with GTID (Using_Gtid " + r.usingGtid() + ")"));
        }
        return problems;
    }
}
