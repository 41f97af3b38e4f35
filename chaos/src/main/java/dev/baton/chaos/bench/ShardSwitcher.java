package dev.baton.chaos.bench;

import java.util.List;

/**
 * What the benchmark needs from a switchover implementation. The chaos module never links the
 * orchestrator: the {@code baton} command adapts the engine (Baton's way and the naive baseline) to this.
 */
public interface ShardSwitcher {

    /** Moves the primary of every given shard (and of no other) to {@code toDc}, in whatever parallelism the implementation chooses. */
    List<Outcome> switchAll(List<String> shards, String toDc);

    /**
     * One shard's switchover as the implementation saw it.
     *
     * @param enginePauseMs the write pause the implementation measured itself (-1 if it does not know)
     * @param catchingUp    refused before anything changed only because the candidate was still catching up (as just
     *                      after the previous move): asking again shortly may succeed
     */
    record Outcome(String shard, boolean switched, String detail, double enginePauseMs, double wallMs, boolean catchingUp) {
    }
}
