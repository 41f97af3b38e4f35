package dev.baton.chaos.bench;

import java.util.List;

/**
 * What the benchmark needs from a switchover implementation. The chaos module never links the
 * orchestrator: the {@code baton} command adapts the engine (Baton's way and the naive baseline) to this.
 */
public interface ShardSwitcher {

    /** Moves the primary of every given shard to {@code toDc}, in whatever parallelism the implementation chooses. */
    List<Outcome> switchAll(List<String> shards, String toDc);

    /**
     * One shard's switchover as the implementation saw it.
     *
     * @param enginePauseMs the write pause the implementation measured itself (-1 if it does not know)
     */
    record Outcome(String shard, boolean switched, String detail, double enginePauseMs, double wallMs) {
    }
}
