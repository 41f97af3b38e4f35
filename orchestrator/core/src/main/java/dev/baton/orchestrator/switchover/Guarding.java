package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HoldGuard;

import java.util.concurrent.CompletableFuture;

/** Where a shard's hold guard ({@link HoldGuard}) comes from. */
sealed interface Guarding {
    /** A switchover on its own starts its own guard beside its holders and ends it at its release. */
    record Own() implements Guarding {
    }

    /**
     * One guard for a whole batch, started with the batch (beside the shards' prechecks; each shard's connect step
     * waits for it) and ended when the batch is over: one process instead of one per shard, whose eight starts at once
     * were what a loaded machine's connect step waited for. It holds one connection to each DC's writer frontend of
     * every shard of the batch. Completes with null when it could not start.
     */
    record Shared(CompletableFuture<HoldGuard> guard) implements Guarding {
    }

    /** No guard could start: the shards hold with their own connections only. */
    record None() implements Guarding {
    }
}
