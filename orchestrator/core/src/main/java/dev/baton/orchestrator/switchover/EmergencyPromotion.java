package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.orchestrator.haproxy.ServerState;
import dev.baton.orchestrator.mysql.ClientSession;
import dev.baton.orchestrator.mysql.GtidPosition;
import dev.baton.orchestrator.mysql.MariaDbServer;
import dev.baton.orchestrator.mysql.ServerStatus;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An emergency promotion: one shard's server in the surviving DC becomes its primary while the old
 * primary's DC is down, so the old primary cannot be asked to fence itself or say its last GTID.
 * Unlike {@link ShardSwitchover} nothing is held or drained: the writes are failing already.
 *
 * <p>The two promises, in this order:
 * <ul>
 * <li>never two writable primaries: every other server of the shard that answers and is writable is
 *     fenced first (read_only, its client sessions ended); if one cannot be fenced the shard is
 *     REFUSED. A server that does not answer is taken to be down with its DC (that is what the
 *     runbook's precheck established);</li>
 * <li>never an acknowledged order lost: semi-sync made every acknowledged commit reach the target's
 *     relay log, so the target first applies everything its IO thread received (or, when an old
 *     primary answered and was fenced, that primary's final position), bounded by the options'
 *     catch-up timeout; short of it the shard is REFUSED and the target stays read-only.</li>
 * </ul>
 * Then replication is stopped and forgotten, the target opened for writes, every reachable DC's
 * writer server pointed at it (an HAProxy that does not answer is reported: its DC is down), a
 * fenced old primary made its replica, and semi-sync master turned on once a replica is connected
 * (with none, every commit would wait the semi-sync timeout). Each action only when the live state
 * differs, so a second run (a new leader taking the failover over) finds a promoted shard and
 * leaves it as it is.
 */
public final class EmergencyPromotion {
    private static final Logger LOG = LoggerFactory.getLogger(EmergencyPromotion.class);
    private static final Duration REPLICA_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** One DC's writer server for the shard, which must point at the promoted server. */
    public record Writer(String dc, Endpoint runtime, String backend, String server) {
    }

    private final Topology topology;
    private final SwitchoverOptions options;

    public EmergencyPromotion(Topology topology, SwitchoverOptions options) {
        this.topology = topology;
        this.options = options;
    }

    /**
     * Promotes {@code targetId} of {@code shardName} and points {@code writers} at it. The result's write
     * pause is this run's share of the outage: from its start until the writers point at the target (0
     * when it found the target promoted already); the outage itself began when the old primary died.
     *
     * @return SWITCHED when the target is the shard's writable primary at the end (its reason names
     *         any writer or replica left unrepaired), REFUSED with the reason when promoting it was
     *         not safe; never ROLLED_BACK
     * @throws SwitchoverRefused when the shard or the server is not in the topology
     */
    public SwitchoverResult promote(String shardName, String targetId, List<Writer> writers) {
        Shard shard = topology.shard(shardName).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.UNKNOWN_SHARD,
                "unknown shard '" + shardName + "'"));
        DbServer target = shard.servers().stream().filter(s -> s.id().equals(targetId)).findFirst()
                .orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.NOT_READY,
                        "shard " + shardName + " has no server '" + targetId + "'"));
        return new Run(shard, target, writers).run();
    }

    /** One shard's promotion; its actuators and what it found. */
    private final class Run {
        private final Shard shard;
        private final DbServer target;
        private final List<Writer> writers;
        private final StepClock clock = new StepClock();
        private final List<String> done = new CopyOnWriteArrayList<>();
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final List<MariaDbServer> actuators;

        Run(Shard shard, DbServer target, List<Writer> writers) {
            this.shard = shard;
            this.target = target;
            this.writers = List.copyOf(writers);
            this.actuators = shard.servers().stream().map(s -> new MariaDbServer(s, topology.credentials())).toList();
        }

        SwitchoverResult run() {
            try {
                return promote();
            } finally {
                actuators.forEach(MariaDbServer::close);
            }
        }

        private SwitchoverResult promote() {
            List<ServerStatus> statuses = clock.time("look", () -> Parallel.map(actuators, MariaDbServer::status));
            if (!(status(statuses, target) instanceof ServerStatus.Up t)) {
                return refused("target " + name(target) + " is unreachable: " + ((ServerStatus.Down) status(statuses, target)).reason());
            }
            List<ServerStatus.Up> writable = statuses.stream().filter(s -> !s.server().equals(target))
                    .filter(s -> s instanceof ServerStatus.Up up && !up.readOnly()).map(ServerStatus.Up.class::cast).toList();
            List<String> unreachable = statuses.stream().filter(s -> s instanceof ServerStatus.Down)
                    .map(s -> s.server().id() + " (" + ((ServerStatus.Down) s).reason() + ")").toList();
            boolean alreadyPromoted = !t.readOnly() && t.replication().isEmpty();

            // Fenced before anything else: from here on no other server takes a write.
            List<DbServer> fenced = new ArrayList<>();
            GtidPosition mustApply;
            try {
                mustApply = writable.isEmpty() ? GtidPosition.EMPTY : clock.time("fence", () -> fence(writable, fenced));
            } catch (RuntimeException e) {
                return refused("old primary reachable and writable, and fencing it failed: " + e.getMessage()
                        + "; " + name(target) + " left as it was");
            }
            if (!alreadyPromoted) {
                Optional<String> behind = clock.time("catch-up", () -> catchUp(t, mustApply, !fenced.isEmpty()));
                if (behind.isPresent()) {
                    unfence(fenced);
                    return refused(behind.get());
                }
                try {
                    clock.time("promote", () -> {
                        MariaDbServer a = actuator(target);
                        // promote() stops replication too, which needs a configured master.
                        if (t.replication().isPresent()) a.promote();
                        else a.setWritable();
                        return null;
                    });
                    done.add("promoted " + target.id() + (unreachable.isEmpty() ? "" : " (unreachable: " + String.join("; ", unreachable) + ")"));
                } catch (RuntimeException e) {
                    unfence(fenced);
                    return refused("promoting " + name(target) + " failed: " + e.getMessage());
                }
            } else {
                done.add(target.id() + " already promoted");
            }
            clock.time("writers", () -> Parallel.map(writers, this::pointWriter));
            double writersAtMs = alreadyPromoted ? 0 : clock.elapsedMs();
            if (t.replication().isPresent()) attempt("forget-master", () -> {
                actuator(target).forgetMaster();
                done.add(target.id() + " forgot its old master");
            });
            // A server found writable beside an already promoted target may have diverged from it: fenced, not repointed.
            if (!fenced.isEmpty() && !alreadyPromoted) attempt("repoint", () -> Parallel.map(fenced, old -> {
                actuator(old).demoteUnder(target);
                done.add(old.id() + " replicates from " + target.id());
                return null;
            }));
            if (!t.semiSyncMaster()) attempt("semi-sync", () -> semiSync(alreadyPromoted ? List.of() : fenced));
            // A read-only server that replicates from nothing is an old primary back from the dead: it may hold
            // transactions nobody acknowledged, so making it a replica is a person's (or a reconcile's) choice.
            statuses.stream().filter(s -> s instanceof ServerStatus.Up up && !s.server().equals(target) && up.readOnly()
                            && up.replication().isEmpty() && !fenced.contains(s.server()))
                    .forEach(s -> done.add(s.server().id() + " answers read-only and replicates from nothing: left as it is"));
            LOG.info("shard {}: emergency promotion of {} in {} ms: {}{}", shard.name(), target.id(), clock.elapsedMs(), done,
                    problems.isEmpty() ? "" : "; problems: " + problems);
            String reason = String.join("; ", done) + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
            return new SwitchoverResult(shard.name(), "", target.id(), Outcome.SWITCHED, reason, clock.timings(), writersAtMs,
                    clock.elapsedMs());
        }

        /**
         * Fences every writable old primary, in parallel; returns what the target must apply first: their
         * final positions (empty when none answered writable).
         */
        private GtidPosition fence(List<ServerStatus.Up> writable, List<DbServer> fenced) {
            List<GtidPosition> finals = Parallel.map(writable, w -> {
                MariaDbServer a = actuator(w.server());
                GtidPosition last = a.fence(a.clientSessions().stream().filter(s -> !s.loggingIn()).map(ClientSession::user)
                        .collect(Collectors.toCollection(TreeSet::new)));
                synchronized (fenced) {
                    fenced.add(w.server());
                }
                done.add("fenced " + w.server().id() + " (reachable and writable) at " + last);
                return last;
            });
            List<GtidPosition.Gtid> all = finals.stream().flatMap(p -> p.gtids().stream()).distinct().toList();
            return new GtidPosition(all);
        }

        /** Empty once the target applied what it must; otherwise why the shard is refused. */
        private Optional<String> catchUp(ServerStatus.Up t, GtidPosition fencedFinal, boolean anyFenced) {
            MariaDbServer a = actuator(target);
            GtidPosition goal = anyFenced ? fencedFinal : a.receivedPos();
            String what = anyFenced ? "the fenced old primary's final position " : "everything it received ";
            if (t.currentPos().contains(goal) || a.waitForGtid(goal, options.catchUpTimeout())) {
                done.add(target.id() + " applied " + what + goal);
                return Optional.empty();
            }
            return Optional.of("target " + name(target) + " did not apply " + what + goal + " within "
                    + options.catchUpTimeout().toMillis() + " ms (its replication: " + replicationOf(a) + "); left read-only");
        }

        /** Writes back to the old primaries fenced by this run, when the target cannot take them. */
        private void unfence(List<DbServer> fenced) {
            for (DbServer old : fenced) {
                try {
                    actuator(old).unfence();
                    done.add("unfenced " + old.id() + " again");
                } catch (RuntimeException e) {
                    problems.add("cannot unfence " + old.id() + " again: " + e.getMessage());
                }
            }
        }

        private Void pointWriter(Writer w) {
            Endpoint to = target.endpoint();
            try {
                HaproxyRuntime runtime = new HaproxyRuntime(w.runtime());
                ServerState now = runtime.serverState(w.backend(), w.server());
                boolean held = now.maxconn() == DcWriter.HOLD_MAXCONN;
                if (now.address().equals(to.host()) && now.port() == to.port() && !held) {
                    done.add("writer in " + w.dc() + " already at " + target.id());
                    return null;
                }
                // A hold's maxconn left by a dead switchover is lifted too: the writer must take writes.
                if (held) runtime.setServerAddrAndMaxconn(w.backend(), w.server(), to.host(), to.port(), options.writerMaxconn());
                else runtime.setServerAddr(w.backend(), w.server(), to.host(), to.port());
                done.add("writer in " + w.dc() + " " + w.backend() + "/" + w.server() + " " + now.address() + ":" + now.port()
                        + " -> " + target.id() + " at " + to);
            } catch (RuntimeException e) {
                problems.add("writer in " + w.dc() + " not repointed (its DC may be down): HAProxy " + w.backend() + "/" + w.server()
                        + " at " + w.runtime() + ": " + e.getMessage());
            }
            return null;
        }

        /** Semi-sync master on once a replica (a fenced old primary) is connected; with none it stays off and says so. */
        private void semiSync(List<DbServer> replicas) {
            long deadline = System.nanoTime() + REPLICA_CONNECT_TIMEOUT.toNanos();
            while (replicas.stream().noneMatch(this::connected)) {
                if (replicas.isEmpty() || System.nanoTime() > deadline) {
                    done.add("semi-sync master left off on " + target.id() + ": no replica connected yet");
                    return;
                }
                StepClock.sleep(20);
            }
            actuator(target).semiSyncMaster(true);
            done.add("semi-sync master on " + target.id());
        }

        private boolean connected(DbServer replica) {
            return actuator(replica).status() instanceof ServerStatus.Up up
                    && up.replication().map(ServerStatus.Replication::ioRunning).orElse(false);
        }

        private void attempt(String step, Runnable work) {
            try {
                clock.time(step, () -> {
                    work.run();
                    return null;
                });
            } catch (RuntimeException e) {
                problems.add(step + ": " + e.getMessage());
            }
        }

        private SwitchoverResult refused(String why) {
            String reason = "shard " + shard.name() + " not promoted: " + why
                    + (done.isEmpty() ? "" : "; done: " + String.join("; ", done))
                    + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
            LOG.error("{}", reason);
            return new SwitchoverResult(shard.name(), "", target.id(), Outcome.REFUSED, reason, clock.timings(), 0, clock.elapsedMs());
        }

        private String replicationOf(MariaDbServer a) {
            return a.status() instanceof ServerStatus.Up up ? up.replication().map(r -> "IO " + (r.ioRunning() ? "running" : "stopped")
                    + ", SQL " + (r.sqlRunning() ? "running" : "stopped") + (r.lastSqlError().isBlank() ? "" : ": " + r.lastSqlError()))
                    .orElse("none") : "unreachable";
        }

        private MariaDbServer actuator(DbServer server) {
            return actuators.get(shard.servers().indexOf(server));
        }

        private ServerStatus status(List<ServerStatus> statuses, DbServer server) {
            return statuses.get(shard.servers().indexOf(server));
        }

        private String name(DbServer server) {
            return server.id() + " at " + server.endpoint();
        }
    }
}
