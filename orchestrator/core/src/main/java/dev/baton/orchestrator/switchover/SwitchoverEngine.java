package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HoldGuard;
import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Planned switchovers of shard primaries to another datacenter, one shard or every shard in
 * parallel, and the recovery of switchovers a dead coordinator left half done. The steps
 * themselves are in {@link ShardSwitchover#run()}, the recovery's rules in {@link ShardReconciliation}.
 */
public final class SwitchoverEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchoverEngine.class);
    private static final Duration BATCH_GUARD_TIMEOUT = Duration.ofSeconds(3);
    private final Topology topology;
    private final SwitchoverOptions options;

    public SwitchoverEngine(Topology topology, SwitchoverOptions options) {
        this.topology = topology;
        this.options = options;
    }

    /**
     * Moves the shard's primary to its server in {@code toDc}.
     *
     * @throws SwitchoverRefused   before anything changed: unknown shard or DC, primary already there,
     *                             candidate not ready, not exactly one writable primary
     * @throws SwitchoverAbandoned the listener abandoned it; the shard is left as it stood, for {@link #reconcile}
     */
    public SwitchoverResult switchover(String shard, String toDc) {
        Datacenter target = datacenter(toDc);
        Shard s = shard(shard);
        return new ShardSwitchover(topology, s, target, options, new Guarding.Own()).run();
    }

    /**
     * A dry run of {@link #switchover}: every step before the hold, then everything closed and nothing changed.
     * Outcome CHECKED, or ROLLED_BACK when connecting failed (nothing changed either).
     *
     * @throws SwitchoverRefused as {@link #switchover} would
     */
    public SwitchoverResult check(String shard, String toDc) {
        return new ShardSwitchover(topology, shard(shard), datacenter(toDc), options, new Guarding.None()).check();
    }

    /** A dry run of {@link #switchoverAll}: the shards it would switch, CHECKED, and those it would refuse, REFUSED. */
    public List<SwitchoverResult> checkAll(String toDc) {
        datacenter(toDc);
        return inTurns(topology.shards(), toDc, new Guarding.None(), ShardSwitchover::check);
    }

    /**
     * Switches every shard whose primary is not in {@code toDc}, {@code options.concurrency()} at a
     * time. A shard already there is left out; a shard refused is reported as REFUSED, not thrown.
     * When the listener abandons a shard, {@link SwitchoverAbandoned} is thrown once every shard has
     * finished or been abandoned (a listener abandoning because leadership was lost abandons them all).
     */
    public List<SwitchoverResult> switchoverAll(String toDc) {
        return switchoverEach(topology.shards().stream().map(Shard::name).toList(), toDc);
    }

    /**
     * {@link #switchoverAll} for the named shards only, e.g. those refused a moment ago because their candidate
     * was still catching up; every name is checked before anything is touched.
     */
    public List<SwitchoverResult> switchoverEach(List<String> shards, String toDc) {
        datacenter(toDc);
        List<Shard> named = shards.stream().map(this::shard).toList();
        Guarding guarding = batchGuard(named);
        try {
            return inTurns(named, toDc, guarding, ShardSwitchover::run);
        } finally {
            if (guarding instanceof Guarding.Shared shared) shared.guard().thenAccept(g -> {
                if (g != null) g.close();
            });
        }
    }

    /**
     * {@code step} on every shard whose primary is not in {@code toDc}, {@code options.concurrency()} at a time; a shard
     * already there is left out, a refused one is its REFUSED result.
     */
    private List<SwitchoverResult> inTurns(List<Shard> shards, String toDc, Guarding guarding,
                                           Function<ShardSwitchover, SwitchoverResult> step) {
        try (ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(), SwitchoverThreads.FACTORY)) {
            List<Future<Optional<SwitchoverResult>>> futures = shards.stream()
                    .map(s -> pool.submit(() -> ifElsewhere(s, toDc, guarding, step)))
                    .toList();
            List<SwitchoverResult> results = new ArrayList<>();
            for (Future<Optional<SwitchoverResult>> f : futures) f.get().ifPresent(results::add);
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while switching every shard to " + toDc, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SwitchoverAbandoned abandoned) throw abandoned;
            throw new IllegalStateException("switching every shard to " + toDc + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * One guard process for the batch, holding every shard's writer frontend in every DC; it starts now and each
     * shard's connect step waits for it, so it is in place before any shard holds. A shard already where it should be
     * is held by it for nothing, harmlessly: the guard's connection waits unauthenticated and its server's maxconn is
     * untouched. A batch larger than the concurrency runs in turns and may outlast the guard's
     * {@link HoldGuard#LIFETIME}: each of its shards starts its own.
     */
    private Guarding batchGuard(List<Shard> shards) {
        if (options.mode() != SwitchoverOptions.Mode.HOLD || shards.isEmpty()) return new Guarding.None();
        if (shards.size() == 1 || shards.size() > options.concurrency()) return new Guarding.Own();
        List<Endpoint> frontends = new ArrayList<>();
        for (Shard shard : shards) {
            for (Datacenter dc : topology.datacenters()) dc.frontendsOf(shard.name()).ifPresent(f -> frontends.add(f.writer()));
        }
        return new Guarding.Shared(CompletableFuture.supplyAsync(() -> HoldGuard.open(frontends, BATCH_GUARD_TIMEOUT),
                        task -> SwitchoverThreads.FACTORY.newThread(task).start())
                .exceptionally(e -> {
                    LOG.warn("writes of shards {} will be held by this process only (should it die, HAProxy lets them through to the "
                            + "fenced primaries until the next leader takes over): {}", shards.stream().map(Shard::name).toList(),
                            (e instanceof CompletionException c ? c.getCause() : e).getMessage());
                    return null;
                }));
    }

    /**
     * Finishes or undoes a switchover of {@code shard} to {@code toDc} that a dead coordinator left
     * half done (see {@link ShardReconciliation} for the rules). Reads the servers and HAProxies and
     * changes only what differs, so it is safe on a shard that needs nothing, and a second run
     * repairs nothing. Outcome SWITCHED: the server in {@code toDc} is the only writable primary;
     * ROLLED_BACK: another server is; REFUSED: no server was made writable, because no choice was
     * safe or a server failed (the reason says why and what, if anything, was fenced); the shard may
     * then have no writable primary and reconcile should be run again once the problem is fixed.
     *
     * @param lastStepDone the last step the dead coordinator recorded as done (a step name of
     *                     {@link StepListener#stepDone}); empty when none was recorded. Only a hint:
     *                     it may lag what the servers show, never lead it.
     * @throws SwitchoverRefused unknown shard or DC, or the shard has no server in {@code toDc}
     */
    public SwitchoverResult reconcile(String shard, String toDc, Optional<String> lastStepDone) {
        Datacenter target = datacenter(toDc);
        Shard s = shard(shard);
        DbServer candidate = s.serverIn(target.name()).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.NOT_READY,
                "shard " + shard + " has no server in " + toDc));
        return new ShardReconciliation(topology, s, candidate, lastStepDone, options).run();
    }

    /**
     * {@link #reconcile} for several shards, {@code options.concurrency()} at a time; results in the
     * topology's shard order. Every shard name is checked before anything is touched.
     *
     * @param lastStepDone per shard to reconcile, its last recorded step (empty: none)
     */
    public List<SwitchoverResult> reconcileAll(String toDc, Map<String, Optional<String>> lastStepDone) {
        datacenter(toDc);
        lastStepDone.keySet().forEach(this::shard);
        List<String> shards = topology.shards().stream().map(Shard::name).filter(lastStepDone::containsKey).toList();
        try (ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(), SwitchoverThreads.FACTORY)) {
            List<Future<SwitchoverResult>> futures = shards.stream()
                    .map(s -> pool.submit(() -> reconcile(s, toDc, lastStepDone.get(s))))
                    .toList();
            List<SwitchoverResult> results = new ArrayList<>();
            for (Future<SwitchoverResult> f : futures) results.add(f.get());
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reconciling shards " + shards, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reconciling shards " + shards + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Shard shard(String name) {
        return topology.shard(name).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.UNKNOWN_SHARD,
                "unknown shard '" + name + "'; known: " + String.join(", ", topology.shards().stream().map(Shard::name).toList())));
    }

    private Optional<SwitchoverResult> ifElsewhere(Shard shard, String toDc, Guarding guarding,
                                                   Function<ShardSwitchover, SwitchoverResult> step) {
        try {
            return Optional.of(step.apply(new ShardSwitchover(topology, shard, datacenter(toDc), options, guarding)));
        } catch (SwitchoverRefused refused) {
            if (refused.kind() == SwitchoverRefused.Kind.ALREADY_THERE) return Optional.empty();
            return Optional.of(new SwitchoverResult(shard.name(), "",
                    shard.serverIn(toDc).map(DbServer::id).orElse(""), Outcome.REFUSED, refused.getMessage(), List.of(), 0, 0,
                    refused.catchingUp()));
        }
    }

    private Datacenter datacenter(String name) {
        return topology.datacenter(name).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.UNKNOWN_DC,
                "unknown DC '" + name + "'; known: " + String.join(", ", topology.datacenterNames())));
    }
}
