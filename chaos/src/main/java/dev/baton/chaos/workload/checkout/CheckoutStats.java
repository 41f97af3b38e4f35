package dev.baton.chaos.workload.checkout;

import java.util.Map;

/**
 * A checkout app's counters, as {@code GET /stats} returns them.
 *
 * @param failed    every checkout that got no yes, including the {@code shardBusy} ones
 * @param shardBusy checkouts refused because their shard's bulkhead gave them no turn in time
 * @param writing   writes under way per shard right now (at most {@link CheckoutOptions#writesPerShard()} each)
 * @param waiting   checkouts waiting for a turn per shard right now: with {@code writing}, a shard's backlog
 */
public record CheckoutStats(String dc, long requests, long acknowledged, long failed, long badRequests, long retries,
                            long shardBusy, Map<String, Integer> writing, Map<String, Integer> waiting) {
    public CheckoutStats {
        writing = Map.copyOf(writing);
        waiting = Map.copyOf(waiting);
    }
}
