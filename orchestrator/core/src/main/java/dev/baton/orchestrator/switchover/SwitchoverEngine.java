package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.switchover.SwitchoverResult.Outcome;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Planned switchovers of shard primaries to another datacenter, one shard or every shard in
 * parallel. The steps themselves are in {@link ShardSwitchover#run()}.
 */
public final class SwitchoverEngine {
    private final Topology topology;
    private final SwitchoverOptions options;

    public SwitchoverEngine(Topology topology, SwitchoverOptions options) {
        this.topology = topology;
        this.options = options;
    }

    /**
     * Moves the shard's primary to its server in {@code toDc}.
     *
     * @throws SwitchoverRefused before anything changed: unknown shard or DC, primary already there,
     *                           candidate not ready, not exactly one writable primary
     */
    public SwitchoverResult switchover(String shard, String toDc) {
        Datacenter target = datacenter(toDc);
        Shard s = topology.shard(shard).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.UNKNOWN_SHARD,
                "unknown shard '" + shard + "'; known: " + String.join(", ", topology.shards().stream().map(Shard::name).toList())));
        return new ShardSwitchover(topology, s, target, options).run();
    }

    /**
     * Switches every shard whose primary is not in {@code toDc}, {@code options.concurrency()} at a
     * time. A shard already there is left out; a shard refused is reported as REFUSED, not thrown.
     */
    public List<SwitchoverResult> switchoverAll(String toDc) {
        datacenter(toDc);
        try (ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(), SwitchoverThreads.FACTORY)) {
            List<Future<Optional<SwitchoverResult>>> futures = topology.shards().stream()
                    .map(s -> pool.submit(() -> switchoverIfElsewhere(s, toDc)))
                    .toList();
            List<SwitchoverResult> results = new ArrayList<>();
            for (Future<Optional<SwitchoverResult>> f : futures) f.get().ifPresent(results::add);
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while switching every shard to " + toDc, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("switching every shard to " + toDc + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Optional<SwitchoverResult> switchoverIfElsewhere(Shard shard, String toDc) {
        try {
            return Optional.of(switchover(shard.name(), toDc));
        } catch (SwitchoverRefused refused) {
            if (refused.kind() == SwitchoverRefused.Kind.ALREADY_THERE) return Optional.empty();
            return Optional.of(new SwitchoverResult(shard.name(), "",
                    shard.serverIn(toDc).map(DbServer::id).orElse(""), Outcome.REFUSED, refused.getMessage(), List.of(), 0, 0));
        }
    }

    private Datacenter datacenter(String name) {
        return topology.datacenter(name).orElseThrow(() -> new SwitchoverRefused(SwitchoverRefused.Kind.UNKNOWN_DC,
                "unknown DC '" + name + "'; known: " + String.join(", ", topology.datacenterNames())));
    }
}
