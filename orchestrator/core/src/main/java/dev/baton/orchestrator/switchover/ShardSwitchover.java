package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.HoldGuard;
import dev.baton.orchestrator.haproxy.HolderConnection;
import dev.baton.orchestrator.mysql.CandidateProblem;
import dev.baton.orchestrator.mysql.ClientSession;
import dev.baton.orchestrator.mysql.DiscoveryException;
import dev.baton.orchestrator.mysql.GtidPosition;
import dev.baton.orchestrator.mysql.LiveShard;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.SwitchoverOptions.Mode;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * One shard's switchover from its live primary P to its server C in the target DC. The steps,
 * in order, are all in {@link #run()}; before C is writable a failure rolls back, after it the
 * switchover rolls forward (P stays read-only, so there are never two writable primaries). A shard
 * that has not reached its promote within {@link SwitchoverOptions#shardTimeout()} rolls back too.
 */
final class ShardSwitchover {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSwitchover.class);
    /** Generous for the same reason as the connections: holders open before the pause. */
    private static final int HOLDER_TIMEOUT_MS = 3000;
    /** A session that connected during the switchover and has been idle this long is a pool's, not a client's about to write. */
    private static final double POOLED_IDLE_MS = 100;
    private static final Duration REPLICAS_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private final Topology topology;
    private final Shard shard;
    private final Datacenter target;
    private final SwitchoverOptions options;
    private final Guarding guarding;
    private final StepClock clock = new StepClock();
    /** When the shard must have reached its promote by ({@link System#nanoTime()}). */
    private final long shardDeadline;
    private long pauseStart;
    private long pauseEnd;

    private LiveShard live;
    private DbServer from;
    private DbServer to;
    private MariaDbServer primary;
    private MariaDbServer candidate;
    // Set by the connect step's HAProxy half on a thread of its own, which the precheck runs beside.
    private volatile List<DcWriter> writers = List.of();
    private volatile List<HolderConnection> holders = List.of();
    /** The same hold again from a process of its own, so that it outlives this JVM; null when it could not start. */
    private volatile HoldGuard guard;
    /** Connections a guard holds to this shard's writer frontends, ours or the batch's. */
    private volatile int guardConnections;
    /** Our own session on P; client sessions with a higher id connected during this switchover. */
    private long primarySessionId;
    /** Every DC's runtime API connection, opened before the pause; kept as they open so all get closed. */
    private final List<HaproxyRuntime> runtimes = new CopyOnWriteArrayList<>();

    ShardSwitchover(Topology topology, Shard shard, Datacenter target, SwitchoverOptions options, Guarding guarding) {
        this.topology = topology;
        this.shard = shard;
        this.target = target;
        this.options = options;
        this.guarding = guarding;
        this.shardDeadline = clock.started() + options.shardTimeout().toNanos();
    }

    /**
     * Throws {@link SwitchoverRefused} when a check fails before anything changed, and
     * {@link SwitchoverAbandoned} when the listener abandoned it (then nothing more was changed).
     */
    SwitchoverResult run() {
        try {
            return runSteps();
        } catch (SwitchoverAbandoned abandoned) {
            LOG.warn("shard {}: switchover abandoned where it stood: {}", shard.name(), abandoned.getMessage());
            closeAll();
            throw abandoned;
        }
    }

    /**
     * A dry run: every step before the hold (precheck, connect: the servers, every DC's runtime API and writer frontend),
     * then everything closed; CHECKED when the switchover would start holding now. Refuses as {@link #run} would.
     */
    SwitchoverResult check() {
        Optional<SwitchoverResult> failed = prepare();
        if (failed.isPresent()) return failed.get();
        closeAll();
        return result(Outcome.CHECKED, "");
    }

    /** Precheck and connect; the result to return instead of going on when connecting failed (nothing changed). */
    private Optional<SwitchoverResult> prepare() {
        // HAProxy's half of the connect step (runtime connections, holders, the guard's process) needs nothing the
        // precheck finds: it starts with the precheck, and the connect step waits for what is left of it.
        CompletableFuture<Void> frontends = CompletableFuture.runAsync(this::connectFrontends,
                task -> SwitchoverThreads.FACTORY.newThread(task).start());
        try {
            step("precheck", this::precheck);
        } catch (RuntimeException refused) {
            frontends.exceptionally(e -> null).join();
            closeAll();
            throw refused;
        }
        try {
            step("connect", () -> {
                await(frontends);
                connectServers();
            });
            timeLeft("connect");
            return Optional.empty();
        } catch (SwitchoverAbandoned abandoned) {
            throw abandoned;
        } catch (RuntimeException e) {
            closeAll();
            return Optional.of(result(Outcome.ROLLED_BACK, "nothing changed; " + e.getMessage()));
        }
    }

    private SwitchoverResult runSteps() {
        Optional<SwitchoverResult> failed = prepare();
        if (failed.isPresent()) return failed.get();
        boolean promoteAttempted = false;
        try {
            GtidPosition last;
            pauseStart = System.nanoTime();
            if (options.mode() == Mode.HOLD) {
                step("hold", () -> inEveryDc(DcWriter::hold));
                timeLeft("hold");
                Set<String> clientUsers = step("drain", this::drain);
                timeLeft("drain");
                last = step("fence", () -> primary.fence(clientUsers));
            } else {
                last = step("read-only", primary::setReadOnly);
            }
            step("catch-up", () -> catchUp(last));
            // The last moment to give up: once C is writable the switchover only goes forward.
            timeLeft("catch-up");
            promoteAttempted = true;
            step("promote", candidate::promote);
        } catch (SwitchoverAbandoned abandoned) {
            throw abandoned;
        } catch (RuntimeException failure) {
            String reason = failure.getMessage();
            LOG.warn("shard {}: switchover {} -> {} failed, rolling back: {}", shard.name(), from.id(), to.id(), reason);
            List<String> rollbackProblems = rollback(promoteAttempted);
            closeAll();
            return result(Outcome.ROLLED_BACK, rollbackProblems.isEmpty() ? reason
                    : reason + "; rollback incomplete: " + String.join("; ", rollbackProblems));
        }
        // C is writable: from here on only forward.
        List<String> problems = new ArrayList<>();
        attempt(problems, () -> step(options.mode() == Mode.HOLD ? "release" : "flip",
                () -> inEveryDc(options.mode() == Mode.HOLD ? w -> w.release(to.endpoint()) : w -> w.pointAt(to.endpoint()))));
        pauseEnd = System.nanoTime();
        closeHolders();
        attempt(problems, () -> step("repoint", this::repoint));
        attempt(problems, () -> step("semi-sync", this::semiSync));
        closeAll();
        return result(Outcome.SWITCHED, String.join("; ", problems));
    }

    /** Discovers the live roles through the connections the switchover will use, and checks the candidate. */
    private void precheck() {
        List<MariaDbServer> servers = shard.servers().stream().map(s -> new MariaDbServer(s, topology.credentials())).toList();
        try {
            live = LiveShard.discover(shard, servers);
        } catch (DiscoveryException e) {
            servers.forEach(MariaDbServer::close);
            throw new SwitchoverRefused(SwitchoverRefused.Kind.NOT_READY, e.getMessage());
        }
        from = live.primary().server();
        to = shard.serverIn(target.name()).orElse(null);
        for (MariaDbServer server : servers) {
            if (server.server().equals(from)) primary = server;
            else if (server.server().equals(to)) candidate = server;
            else server.close();
        }
        try {
            checkCandidate();
        } catch (SwitchoverRefused e) {
            closeAll();
            throw e;
        }
    }

    private void checkCandidate() {
        if (from.dc().equals(target.name())) {
            throw new SwitchoverRefused(SwitchoverRefused.Kind.ALREADY_THERE, "shard " + shard.name() + ": its primary "
                    + from.id() + " at " + from.endpoint() + " is already in " + target.name());
        }
        if (to == null) {
            throw new SwitchoverRefused(SwitchoverRefused.Kind.NOT_READY, "shard " + shard.name() + " has no server in " + target.name());
        }
        List<CandidateProblem> problems = live.candidateReadiness(to, options.maxLag());
        if (!problems.isEmpty()) {
            throw new SwitchoverRefused(SwitchoverRefused.Kind.NOT_READY, "shard " + shard.name() + ": cannot switch "
                    + from.id() + " -> " + to.id() + ": " + problems.stream().map(CandidateProblem::text).collect(Collectors.joining("; ")),
                    problems.stream().allMatch(CandidateProblem::catchingUp));
        }
    }

    /** P and C were connected by the precheck; a server that failed since is connected again. */
    private void connectServers() {
        Parallel.map(List.of(primary, candidate), MariaDbServer::connect);
        primarySessionId = primary.connectionId();
    }

    /**
     * Everything on HAProxy's side that costs a connection is paid here, before writes are held: every DC's runtime
     * API and, to hold, a holder per DC's writer frontend and the guard's process.
     */
    private void connectFrontends() {
        writers = Parallel.map(topology.datacenters(), dc -> {
            ShardFrontends f = dc.frontendsOf(shard.name()).orElseThrow(() -> new IllegalStateException(
                    "DC " + dc.name() + " has no frontends for shard " + shard.name()));
            HaproxyRuntime runtime = HaproxyRuntime.connect(dc.haproxyRuntime());
            runtimes.add(runtime);
            int maxconn = runtime.serverState(f.writerBackend(), f.writerServer()).maxconn();
            return new DcWriter(dc, f, runtime, maxconn);
        });
        if (options.mode() == Mode.HOLD) {
            // Our own guard's process starts at once and connects while our own holders do.
            CompletableFuture<HoldGuard> ownGuard = guarding instanceof Guarding.Own
                    ? CompletableFuture.supplyAsync(() -> HoldGuard.open(writers.stream().map(w -> w.frontends().writer()).toList(),
                            Duration.ofMillis(HOLDER_TIMEOUT_MS)), task -> SwitchoverThreads.FACTORY.newThread(task).start())
                    : null;
            // Kept as they open, so a failure in one DC still closes the holders of the others.
            List<HolderConnection> opened = new CopyOnWriteArrayList<>();
            try {
                Parallel.map(writers, w -> opened.add(HolderConnection.open(w.frontends().writer(), HOLDER_TIMEOUT_MS)));
            } catch (RuntimeException e) {
                if (ownGuard != null) ownGuard.thenAccept(HoldGuard::close); // nothing will be held: no guard either
                throw e;
            } finally {
                holders = List.copyOf(opened);
            }
            switch (guarding) {
                case Guarding.Own own -> {
                    try {
                        guard = ownGuard.join();
                        guardConnections = guard.connections();
                    } catch (CompletionException e) {
                        // The holders above hold writes; the guard only keeps them held should this coordinator die.
                        LOG.warn("shard {}: writes will be held by this process only (should it die, HAProxy lets them through to "
                                + "the fenced primary until the next leader takes over): {}", shard.name(), e.getCause().getMessage());
                    }
                }
                case Guarding.Shared shared -> guardConnections = shared.guard().join() == null ? 0 : writers.size();
                case Guarding.None none -> guardConnections = 0;
            }
        }
    }

    /**
     * Lets clients that connected to P just before the hold finish their statement, so the fence
     * does not fail them: a client that opens a connection per write has logged in and sends its
     * statement next. P is drained when (1) every connection HAProxy has open to P (its {@code scur},
     * in every DC) shows up in P's process list, so none is still on its way; (2) nobody but our
     * holders is logging in; (3) no session that connected after our own (a higher id: it opened during this
     * switchover's precheck and connect) is still there, unless it has been idle {@link #POOLED_IDLE_MS}. A client that
     * connects per write can sit idle for tens of ms between its login, its driver's first statement and its own on a
     * busy machine (a rule of "idle for 20 ms" let the fence cut one that had been idle 21 ms; the bench's probes cut
     * at the drain's bound had been idle 44 ms), and it leaves once it has written. A pool's new connection stays:
     * once idle that long it is taken for one and not waited for (in the demo, a checkout app's new connections held
     * drains to their bound idle 250-650 ms); until then the drain's bound caps the wait. Older sessions are pooled connections: under load one of them is always busy, so they are not waited for;
     * the fence ends them and their clients retry through the held frontend. Returns the accounts whose sessions the
     * fence must end.
     */
    private Set<String> drain() {
        long deadline = Math.min(System.nanoTime() + options.drainTimeout().toNanos(), shardDeadline);
        // Once writes are held HAProxy opens no new connection to P, so a count of its connections only falls: P's
        // process list reaching it once is enough, and HAProxy is asked again only while P shows fewer. Asked
        // before P, never after, so a connection that closes between the two looks can only make the drain wait.
        boolean askHaproxy = true;
        int proxied = 0;
        while (true) {
            if (askHaproxy) proxied = inEveryDc(DcWriter::currentSessions).stream().mapToInt(Integer::intValue).sum();
            List<ClientSession> sessions = primary.clientSessions();
            askHaproxy = sessions.size() < proxied;
            long logins = sessions.stream().filter(ClientSession::loggingIn).count();
            List<ClientSession> recent = sessions.stream()
                    .filter(s -> !s.loggingIn() && s.id() > primarySessionId && !s.idleFor(POOLED_IDLE_MS)).toList();
            Set<String> users = sessions.stream().filter(s -> !s.loggingIn()).map(ClientSession::user)
                    .collect(Collectors.toCollection(TreeSet::new));
            int holding = holders.size() + guardConnections;
            if (!askHaproxy && logins <= holding && recent.isEmpty()) return users;
            if (System.nanoTime() > deadline) {
                LOG.info("shard {}: drain timed out with {} logging in, {} of {} proxied connections seen on {}, and these that "
                        + "connected during the switchover: {}", shard.name(), logins, sessions.size(), proxied, from.id(), recent);
                return users;
            }
            LOG.debug("shard {}: draining: {} logging in, {} of {} proxied connections seen, {} connected during the switchover",
                    shard.name(), logins, sessions.size(), proxied, recent);
            // Each look costs P a query; do not let many shards' drains crowd two cores.
            StepClock.sleep(5);
        }
    }

    /** Waits for C to apply P's last GTID, within the catch-up timeout and what is left of the shard's. */
    private void catchUp(GtidPosition last) {
        Duration left = timeLeft(options.mode() == Mode.HOLD ? "fence" : "read-only");
        boolean shardBound = left.compareTo(options.catchUpTimeout()) < 0;
        if (!candidate.waitForGtid(last, shardBound ? left : options.catchUpTimeout())) {
            String applied = "candidate " + to.id() + " did not apply " + last + " within ";
            throw new IllegalStateException(shardBound ? shardTimeoutPassed("catch-up") + ": " + applied + left.toMillis() + " ms"
                    : applied + options.catchUpTimeout().toMillis() + " ms");
        }
    }

    /** What is left of the shard's timeout; throws, naming {@code phase}, once it has passed. */
    private Duration timeLeft(String phase) {
        long left = shardDeadline - System.nanoTime();
        if (left <= 0) throw new IllegalStateException(shardTimeoutPassed(phase));
        return Duration.ofNanos(left);
    }

    private String shardTimeoutPassed(String phase) {
        Duration t = options.shardTimeout();
        return "per-shard timeout " + (t.toMillis() % 1000 == 0 ? t.toSeconds() + "s" : t.toMillis() + "ms") + " passed at " + phase;
    }

    /** C forgets P; P and every other replica replicate from C; outside the write pause. */
    private void repoint() {
        List<Runnable> work = new ArrayList<>();
        work.add(candidate::forgetMaster);
        work.add(() -> primary.demoteUnder(to));
        for (ServerStatus other : live.others()) {
            if (other.server().id().equals(to.id())) continue;
            work.add(() -> {
                try (MariaDbServer replica = new MariaDbServer(other.server(), topology.credentials())) {
                    replica.repointTo(to);
                }
            });
        }
        Parallel.map(work, r -> {
            r.run();
            return null;
        });
    }

    /**
     * Semi-sync master goes on only once a replica is connected to C: with none, every commit
     * would wait the full semi-sync timeout, which would be a write pause of its own.
     */
    private void semiSync() {
        long deadline = System.nanoTime() + REPLICAS_CONNECT_TIMEOUT.toNanos();
        while (!(primary.status() instanceof ServerStatus.Up p
                && p.replication().map(ServerStatus.Replication::ioRunning).orElse(false))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("old primary " + from.id() + " did not connect to " + to.id() + " within "
                        + REPLICAS_CONNECT_TIMEOUT.toMillis() + " ms; semi-sync master left off on " + to.id());
            }
            StepClock.sleep(5);
        }
        candidate.semiSyncMaster(true);
    }

    /** Everything back as it was: P writable, writers on P, C a replica again if it was touched. */
    private List<String> rollback(boolean promoteAttempted) {
        List<String> problems = new ArrayList<>();
        long start = System.nanoTime();
        if (promoteAttempted) {
            attempt(problems, () -> {
                candidate.setReadOnly();
                candidate.repointTo(from);
            });
        }
        attempt(problems, primary::unfence);
        attempt(problems, () -> inEveryDc(w -> w.release(from.endpoint())));
        pauseEnd = System.nanoTime();
        closeHolders();
        clock.record("rollback", start);
        return problems;
    }

    /** Sends every DC's HAProxy its commands, then reads every answer: one round trip for all, from this thread. */
    private <T> List<T> inEveryDc(Function<DcWriter, HaproxyRuntime.Pending<T>> work) {
        return HaproxyRuntime.onEach(writers, work);
    }

    private void step(String name, Runnable work) {
        step(name, () -> {
            work.run();
            return null;
        });
    }

    private <T> T step(String name, Supplier<T> work) {
        long start = System.nanoTime();
        T value;
        try {
            value = clock.time(name, work);
        } finally {
            LOG.debug("shard {}: {} took {} ms", shard.name(), name, StepClock.ms(System.nanoTime() - start));
        }
        options.listener().stepDone(shard.name(), name);
        return value;
    }

    private void attempt(List<String> problems, Runnable work) {
        try {
            work.run();
        } catch (SwitchoverAbandoned abandoned) {
            throw abandoned;
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
    }

    private SwitchoverResult result(Outcome outcome, String reason) {
        double pause = pauseStart == 0 ? 0 : StepClock.ms(pauseEnd - pauseStart);
        SwitchoverResult result = new SwitchoverResult(shard.name(), from.id(), to.id(), outcome, reason, clock.timings(), pause,
                clock.elapsedMs());
        LOG.info("shard {}: {} ({}) {} -> {} in {} ms, write pause {} ms [{}]{}", shard.name(), outcome, options.mode(),
                from.id(), to.id(), Math.round(result.wallMs()), Math.round(pause),
                clock.timings().stream().map(t -> t.name() + " " + t.durationMs()).collect(Collectors.joining(", ")),
                reason.isEmpty() ? "" : ": " + reason);
        return result;
    }

    /** Waits for work started earlier; its failure as the exception it threw. */
    private static void await(CompletableFuture<Void> work) {
        try {
            work.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    private void closeHolders() {
        holders.forEach(HolderConnection::close);
        if (guard != null) guard.close();
        guard = null;
    }

    private void closeAll() {
        closeHolders();
        runtimes.forEach(HaproxyRuntime::close);
        if (primary != null) primary.close();
        if (candidate != null) candidate.close();
    }

}
