package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.ClientSession;
import dev.baton.orchestrator.mysql.GtidPosition;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finishes or undoes one shard's switchover that a dead coordinator left half done. The servers
 * and HAProxies are the truth; the last step the dead coordinator recorded is only a hint, and
 * is used only to decide between two safe ends, never to believe a state the servers deny.
 *
 * <p>First the server that keeps (or gets) the shard's writes is chosen:
 * <ul>
 * <li>one writable server: that one; the candidate means the switchover rolls forward, any other
 *     server means it rolls back;</li>
 * <li>none (the coordinator died between fence and promote): the candidate when it has applied
 *     everything the fenced old primary has and the hint says the catch-up was done, else the old
 *     primary. With the old primary unreachable, the candidate only when the hint says the old
 *     primary was fenced (otherwise it may still take writes where we cannot see it) and the
 *     candidate applied all it received (semi-sync put every acknowledged commit there);</li>
 * <li>several (never made by the engine): every writable server is fenced first, so their
 *     transactions stop changing; then the one that holds every transaction of the others keeps
 *     the shard (the one the writers point at, then the candidate, when they hold the same). When
 *     each has transactions the other lacks, they diverged: both stay read-only and the result is
 *     REFUSED, since any choice would throw away acknowledged writes and only a person can decide.</li>
 * </ul>
 * Then everything converges on it, each action only when the live state differs: it is writable
 * (no other server is, by the choice above), every DC's writer server points at it with its normal
 * maxconn, it forgets its old master, every other server replicates from it, and semi-sync master
 * is on once a replica is connected. A second run finds nothing to repair.
 *
 * <p>Limits: it must run only once the dead coordinator's engine no longer acts (killed, or stopped
 * through {@link SwitchoverAbandoned}); a live engine's next step would race it. Promoting the
 * candidate while the old primary is unreachable trusts the hint that the old primary was fenced;
 * a coordinator that died while rolling back (after a failed catch-up or promote) may have opened it
 * again, which no hint shows.
 */
final class ShardReconciliation {
    private static final Logger LOG = LoggerFactory.getLogger(ShardReconciliation.class);
    /** Short: a candidate that fell behind while its old primary was fenced receives nothing new. */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);
    private static final Duration REPLICA_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** The step names of {@link ShardSwitchover#run()} (both modes), in the order they happen. */
    private static final Map<String, Integer> STEP_ORDER = Map.ofEntries(
            Map.entry("precheck", 0), Map.entry("connect", 1), Map.entry("hold", 2), Map.entry("drain", 3),
            Map.entry("fence", 4), Map.entry("read-only", 4), Map.entry("catch-up", 5), Map.entry("promote", 6),
            Map.entry("release", 7), Map.entry("flip", 7), Map.entry("repoint", 8), Map.entry("semi-sync", 9));

    private final Topology topology;
    private final Shard shard;
    private final DbServer candidate;
    private final int lastStep;
    private final String hint;
    private final SwitchoverOptions options;
    private final StepClock clock = new StepClock();
    private final List<String> repairs = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private long writesFlowed;

    private List<MariaDbServer> actuators = List.of();
    private List<ServerStatus> statuses = List.of();
    /** Per DC, the writer server's state, or empty when that DC's HAProxy could not be asked. */
    private List<Optional<ServerState>> writerStates = List.of();
    private DbServer oldPrimary;

    ShardReconciliation(Topology topology, Shard shard, DbServer candidate, Optional<String> lastStepDone,
                        SwitchoverOptions options) {
        this.topology = topology;
        this.shard = shard;
        this.candidate = candidate;
        this.hint = lastStepDone.orElse("(none)");
        this.lastStep = lastStepDone.map(s -> STEP_ORDER.getOrDefault(s, -1)).orElse(-1);
        this.options = options;
        if (lastStepDone.isPresent() && lastStep < 0) {
            // Unknown means "assume nothing was done": the choices below then prefer rolling back.
            LOG.warn("shard {}: unknown last step '{}' is taken as no step done", shard.name(), lastStepDone.get());
        }
    }

    SwitchoverResult run() {
        try {
            step("discover", this::discover);
            Optional<DbServer> keep;
            try {
                keep = choose();
            } catch (RuntimeException e) {
                // A server failed while being asked (e.g. the candidate died during the catch-up wait): nothing was opened.
                problems.add(e.getMessage());
                keep = Optional.empty();
            }
            if (keep.isEmpty() || !converge(keep.get())) return result(Outcome.REFUSED, null);
            return result(keep.get().equals(candidate) ? Outcome.SWITCHED : Outcome.ROLLED_BACK, keep.get());
        } finally {
            actuators.forEach(MariaDbServer::close);
        }
    }

    private void discover() {
        actuators = shard.servers().stream().map(s -> new MariaDbServer(s, topology.credentials())).toList();
        statuses = Parallel.map(actuators, MariaDbServer::status);
        writerStates = Parallel.map(topology.datacenters(), dc -> {
            try (HaproxyRuntime runtime = new HaproxyRuntime(dc.haproxyRuntime())) {
                ShardFrontends f = frontends(dc);
                return Optional.of(runtime.serverState(f.writerBackend(), f.writerServer()));
            } catch (RuntimeException e) {
                problems.add("cannot read the writer of shard " + shard.name() + " in DC " + dc.name() + ": " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** The server that ends up the shard's only writable primary; empty when no safe choice exists. */
    private Optional<DbServer> choose() {
        List<ServerStatus.Up> writable = up().filter(s -> !s.readOnly()).toList();
        if (writable.size() == 1) {
            DbServer keep = writable.getFirst().server();
            oldPrimary = keep.equals(candidate) ? guessOldPrimary().orElse(null) : keep;
            return Optional.of(keep);
        }
        if (writable.size() > 1) return step("fence-writable", () -> settleSeveralWritable(writable));
        return chooseWithoutWritable();
    }

    private Optional<DbServer> chooseWithoutWritable() {
        Optional<ServerStatus.Up> c = upStatus(candidate);
        oldPrimary = guessOldPrimary().orElse(null);
        Optional<ServerStatus.Up> old = oldPrimary == null ? Optional.empty() : upStatus(oldPrimary);
        if (c.isEmpty()) {
            if (old.isPresent()) return Optional.of(oldPrimary);
            problems.add("no server of shard " + shard.name() + " is writable and neither the candidate " + candidate.id()
                    + " nor an old primary is reachable" + unreachable());
            return Optional.empty();
        }
        if (old.isPresent()) {
            // Binlog states, not positions: two servers that each wrote one transaction hold the same sequence number.
            List<GtidPosition.Gtid> candidateLacks = old.get().binlogState().notIn(c.get().binlogState());
            if (!candidateLacks.isEmpty() && replicatesFrom(c.get(), oldPrimary)
                    && actuator(candidate).waitForGtid(old.get().binlogPos(), CATCH_UP_WAIT)
                    && actuator(candidate).status() instanceof ServerStatus.Up fresh) {
                candidateLacks = old.get().binlogState().notIn(fresh.binlogState());
            }
            List<GtidPosition.Gtid> oldLacks = c.get().binlogState().notIn(old.get().binlogState());
            if (!candidateLacks.isEmpty() && !oldLacks.isEmpty()) {
                problems.add("no server of shard " + shard.name() + " is writable and they diverged: " + oldPrimary.id() + " alone has "
                        + gtids(candidateLacks) + ", " + candidate.id() + " alone has " + gtids(oldLacks)
                        + "; both left read-only: an operator must choose which writes to keep");
                return Optional.empty();
            }
            // A candidate with writes of its own must keep them; else the hint decides whether the catch-up was reached.
            if (candidateLacks.isEmpty() && (!oldLacks.isEmpty() || lastStep >= STEP_ORDER.get("catch-up"))) {
                return Optional.of(candidate);
            }
            LOG.info("shard {}: rolling back to {}: candidate {} {}, last step done '{}'", shard.name(), oldPrimary.id(),
                    candidate.id(), candidateLacks.isEmpty() ? "caught up" : "lacks " + gtids(candidateLacks), hint);
            return Optional.of(oldPrimary);
        }
        String oldName = oldPrimary == null ? "the old primary (unknown)" : "the old primary " + oldPrimary.id();
        if (lastStep < STEP_ORDER.get("fence")) {
            problems.add("no server of shard " + shard.name() + " is writable, " + oldName + " is unreachable and not known to be "
                    + "fenced (last step done: " + hint + "): promoting " + candidate.id() + " could make two writable primaries"
                    + unreachable());
            return Optional.empty();
        }
        MariaDbServer c2 = actuator(candidate);
        GtidPosition received = c2.receivedPos();
        if (c.get().currentPos().contains(received) || c2.waitForGtid(received, CATCH_UP_WAIT)) return Optional.of(candidate);
        problems.add("no server of shard " + shard.name() + " is writable, " + oldName + " is unreachable and the candidate "
                + candidate.id() + " has not applied all it received (" + received + ")" + unreachable());
        return Optional.empty();
    }

    /**
     * The server the switchover moved away from: the one the candidate replicates from (kept until
     * its RESET SLAVE ALL), else the only other server that does not replicate.
     */
    private Optional<DbServer> guessOldPrimary() {
        Optional<Endpoint> master = upStatus(candidate).flatMap(ServerStatus.Up::replication).map(ServerStatus.Replication::master);
        Optional<DbServer> byMaster = master.flatMap(m -> shard.servers().stream().filter(s -> s.endpoint().equals(m)).findFirst())
                .filter(s -> !s.equals(candidate));
        if (byMaster.isPresent()) return byMaster;
        List<DbServer> standalone = up().filter(s -> !s.server().equals(candidate) && s.replication().isEmpty())
                .map(ServerStatus.Up::server).toList();
        return standalone.size() == 1 ? Optional.of(standalone.getFirst()) : Optional.empty();
    }

    /** See the class comment: fence all, then keep the one that lost nothing, or none. */
    private Optional<DbServer> settleSeveralWritable(List<ServerStatus.Up> writable) {
        String names = writable.stream().map(s -> s.server().id()).collect(Collectors.joining(", "));
        LOG.error("shard {}: {} writable primaries ({}); fencing all of them before choosing", shard.name(), writable.size(), names);
        Parallel.map(writable, w -> {
            MariaDbServer a = actuator(w.server());
            a.fence(a.clientSessions().stream().filter(s -> !s.loggingIn()).map(ClientSession::user)
                    .collect(Collectors.toCollection(TreeSet::new)));
            return null;
        });
        repairs.add("fenced " + names + " (all writable at once)");
        statuses = Parallel.map(actuators, MariaDbServer::status);
        List<ServerStatus.Up> fenced = up().filter(s -> writable.stream().anyMatch(w -> w.server().equals(s.server()))).toList();
        if (fenced.size() < writable.size()) {
            problems.add("shard " + shard.name() + " had " + writable.size() + " writable primaries and not all answer after the "
                    + "fence, so their transactions cannot be compared" + unreachable());
            return Optional.empty();
        }
        List<ServerStatus.Up> complete = fenced.stream()
                .filter(x -> fenced.stream().allMatch(o -> o.binlogState().notIn(x.binlogState()).isEmpty())).toList();
        if (complete.isEmpty()) {
            problems.add("shard " + shard.name() + " had " + writable.size() + " writable primaries that diverged: " + fenced.stream()
                    .map(x -> x.server().id() + " alone has " + gtids(fenced.stream().filter(o -> o != x)
                            .flatMap(o -> x.binlogState().notIn(o.binlogState()).stream()).distinct().toList()))
                    .collect(Collectors.joining("; ")) + "; all left read-only: an operator must choose which writes to keep");
            return Optional.empty();
        }
        Comparator<ServerStatus.Up> preference = Comparator
                .comparing((ServerStatus.Up s) -> !allWritersAt(s.server().endpoint()))
                .thenComparing(s -> !s.server().equals(candidate));
        DbServer keep = complete.stream().sorted(preference).findFirst().orElseThrow().server();
        oldPrimary = fenced.stream().map(ServerStatus.Up::server).filter(s -> !s.equals(keep)).findFirst().orElse(null);
        return Optional.of(keep);
    }

    /** False when {@code keep} could not be made writable; after that, failures are problems and the rest still runs. */
    private boolean converge(DbServer keep) {
        ServerStatus.Up k = upStatus(keep).orElseThrow();
        MariaDbServer primary = actuator(keep);
        if (k.readOnly() || k.replicating()) {
            try {
                step("make-writable", () -> {
                    // promote() stops replication too; the statement needs a configured master.
                    if (k.replication().isPresent()) primary.promote();
                    else primary.setWritable();
                });
                repairs.add("made " + keep.id() + " writable");
            } catch (RuntimeException e) {
                problems.add("cannot make " + keep.id() + " writable: " + e.getMessage());
                return false;
            }
        }
        step("writers", () -> pointWriters(keep));
        writesFlowed = System.nanoTime();
        if (k.replication().isPresent()) {
            attempt(() -> step("forget-master", () -> {
                primary.forgetMaster();
                repairs.add(keep.id() + " forgot its old master");
            }));
        }
        step("rejoin", () -> rejoin(k));
        if (!k.semiSyncMaster()) attempt(() -> step("semi-sync", () -> semiSync(keep)));
        return true;
    }

    private void attempt(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
        }
    }

    /** Every DC's writer server at {@code keep}, with the normal maxconn if a hold's is left. */
    private void pointWriters(DbServer keep) {
        List<Datacenter> dcs = topology.datacenters();
        Parallel.map(dcs, dc -> {
            Optional<ServerState> state = writerStates.get(dcs.indexOf(dc));
            if (state.isPresent() && state.get().address().equals(keep.endpoint().host())
                    && state.get().port() == keep.endpoint().port() && state.get().maxconn() != DcWriter.HOLD_MAXCONN) {
                return null;
            }
            int maxconn = state.map(ServerState::maxconn).filter(m -> m != DcWriter.HOLD_MAXCONN).orElse(options.writerMaxconn());
            try (HaproxyRuntime runtime = new HaproxyRuntime(dc.haproxyRuntime())) {
                new DcWriter(dc, frontends(dc), runtime, maxconn).release(keep.endpoint()).await();
                repairs.add("writer in " + dc.name() + " -> " + keep.id() + " maxconn " + maxconn);
            } catch (RuntimeException e) {
                problems.add("cannot point the writer of shard " + shard.name() + " in DC " + dc.name() + " at " + keep.id() + ": "
                        + e.getMessage());
            }
            return null;
        });
    }

    /** Every other server a replica of {@code keep}, unless it has transactions keep lacks (then it is reported, not touched). */
    private void rejoin(ServerStatus.Up keep) {
        List<ServerStatus> others = statuses.stream().filter(s -> !s.server().equals(keep.server())).toList();
        Parallel.map(others, other -> {
            if (!(other instanceof ServerStatus.Up o)) {
                problems.add(other.server().id() + " is unreachable, not re-pointed under " + keep.server().id() + ": "
                        + ((ServerStatus.Down) other).reason());
                return null;
            }
            if (replicatesFrom(o, keep.server()) && o.replication().orElseThrow().sqlRunning()
                    && (o.replication().get().ioRunning() || o.replication().get().lastIoError().isBlank())) {
                return null;
            }
            List<GtidPosition.Gtid> errant = o.binlogState().notIn(keep.binlogState());
            if (!errant.isEmpty()) {
                problems.add(o.server().id() + " has transactions " + keep.server().id() + " lacks (" + gtids(errant)
                        + "): left out of replication for an operator");
                return null;
            }
            attempt(() -> {
                MariaDbServer replica = actuator(o.server());
                if (o.replication().isPresent()) replica.stopReplication();
                // Its own binlog position is its replication position: with log_slave_updates it holds everything it applied or wrote.
                replica.demoteUnder(keep.server());
                repairs.add(o.server().id() + " replicates from " + keep.server().id());
            });
            return null;
        });
    }

    /** Semi-sync master on once a replica's IO thread is connected: with none, every commit would wait the semi-sync timeout. */
    private void semiSync(DbServer keep) {
        List<MariaDbServer> replicas = actuators.stream().filter(a -> !a.server().equals(keep))
                .filter(a -> upStatus(a.server()).isPresent()).toList();
        if (replicas.isEmpty()) {
            problems.add("no replica of " + keep.id() + " is reachable; semi-sync master left off on it");
            return;
        }
        long deadline = System.nanoTime() + REPLICA_CONNECT_TIMEOUT.toNanos();
        while (replicas.stream().map(MariaDbServer::status).noneMatch(s -> s instanceof ServerStatus.Up up
                && replicatesFrom(up, keep) && up.replication().orElseThrow().ioRunning())) {
            if (System.nanoTime() > deadline) {
                problems.add("no replica connected to " + keep.id() + " within " + REPLICA_CONNECT_TIMEOUT.toMillis()
                        + " ms; semi-sync master left off on it");
                return;
            }
            StepClock.sleep(5);
        }
        actuator(keep).semiSyncMaster(true);
        repairs.add("semi-sync master on " + keep.id());
    }

    private boolean allWritersAt(Endpoint endpoint) {
        return writerStates.stream().allMatch(s -> s.filter(w -> w.address().equals(endpoint.host()) && w.port() == endpoint.port())
                .isPresent());
    }

    private static boolean replicatesFrom(ServerStatus.Up replica, DbServer master) {
        return replica.replication().filter(r -> r.replicatesFrom(master.endpoint())).isPresent();
    }

    private Stream<ServerStatus.Up> up() {
        return statuses.stream().filter(ServerStatus.Up.class::isInstance).map(ServerStatus.Up.class::cast);
    }

    private Optional<ServerStatus.Up> upStatus(DbServer server) {
        return up().filter(s -> s.server().equals(server)).findFirst();
    }

    private MariaDbServer actuator(DbServer server) {
        return actuators.stream().filter(a -> a.server().equals(server)).findFirst().orElseThrow();
    }

    private static String gtids(List<GtidPosition.Gtid> gtids) {
        return gtids.stream().map(Object::toString).collect(Collectors.joining(","));
    }

    private String unreachable() {
        String down = statuses.stream().filter(ServerStatus.Down.class::isInstance).map(ServerStatus.Down.class::cast)
                .map(d -> d.server().id() + " (" + d.reason() + ")").collect(Collectors.joining("; "));
        return down.isEmpty() ? "" : "; unreachable: " + down;
    }

    private ShardFrontends frontends(Datacenter dc) {
        return dc.frontendsOf(shard.name()).orElseThrow(() -> new IllegalStateException(
                "DC " + dc.name() + " has no frontends for shard " + shard.name()));
    }

    private void step(String name, Runnable work) {
        step(name, () -> {
            work.run();
            return null;
        });
    }

    /** Timed like a switchover's steps, but never told to the listener: these are not the switchover's steps. */
    private <T> T step(String name, Supplier<T> work) {
        return clock.time(name, work);
    }

    private SwitchoverResult result(Outcome outcome, DbServer keep) {
        StringBuilder reason = new StringBuilder("reconciled after last step '" + hint + "': ");
        if (keep == null) reason.append("nothing made writable");
        else if (repairs.isEmpty()) reason.append("nothing to repair; primary ").append(keep.id());
        else reason.append("primary ").append(keep.id());
        if (!repairs.isEmpty()) reason.append("; repaired: ").append(String.join("; ", repairs));
        if (!problems.isEmpty()) reason.append("; problems: ").append(String.join("; ", problems));
        double pause = writesFlowed == 0 || repairs.isEmpty() ? 0 : StepClock.ms(writesFlowed - clock.started());
        SwitchoverResult result = new SwitchoverResult(shard.name(), oldPrimary == null ? "" : oldPrimary.id(), candidate.id(),
                outcome, reason.toString(), clock.timings(), pause, clock.elapsedMs());
        if (keep == null || !problems.isEmpty()) LOG.error("shard {}: {} {}", shard.name(), outcome, result.reason());
        else LOG.info("shard {}: {} in {} ms: {}", shard.name(), outcome, Math.round(result.wallMs()), result.reason());
        return result;
    }

}
