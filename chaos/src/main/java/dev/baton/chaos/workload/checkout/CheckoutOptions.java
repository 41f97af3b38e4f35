package dev.baton.chaos.workload.checkout;

import java.time.Duration;

/**
 * How hard a checkout app tries before it gives up on one order, and how it keeps one shard's
 * trouble to that shard.
 *
 * @param retryBudget      total time a checkout may spend retrying connection and read-only errors
 * @param firstBackoff     pause after the first failed attempt; it doubles up to {@code maxBackoff}
 * @param connectTimeout   generous: during a switchover HAProxy holds a new connection (no greeting)
 *                         for the length of the write pause, and a held connection is not a failure
 * @param socketTimeout    bounds a write whose server went silent, so its outcome gets resolved by a retry
 * @param maxIdlePerWriter idle connections kept per writer frontend; 0 opens a new connection per checkout.
 *                         More than {@code writesPerShard} is never used: no more are ever busy at once
 * @param writesPerShard   the bulkhead: checkouts writing to one shard at once (each holds one connection,
 *                         or one place in HAProxy's queue during a hold); the rest wait for a turn
 * @param waitForShard     how long a checkout waits for a turn at its shard before it fails (HTTP 503)
 */
public record CheckoutOptions(Duration retryBudget, Duration firstBackoff, Duration maxBackoff,
                              Duration connectTimeout, Duration socketTimeout, int maxIdlePerWriter,
                              int writesPerShard, Duration waitForShard) {

    /**
     * 8 writes per shard: by Little's law, at the densest load the labs run (200 checkouts/s into one app over 2
     * shards, 100/s per shard) each write may take 80 ms before anyone waits for a turn, where a warm lab's whole
     * checkout takes 3-4 ms (p50) and 7-15 ms (p99 of a second) here; over 8 shards there is 4x more room. Bounded,
     * a held shard ties up at most 8 connections (unbounded: 24 in a 500 ms hold at 50/s, ShardBulkheadLabTest) and,
     * when the hold ends, costs at most 8 new ones (about 3 ms of CPU each here) instead of one per checkout that
     * arrived during the hold.
     */
    public static final int WRITES_PER_SHARD = 8;

    /**
     * 4 s: as long as Baton may hold a shard's writes. A routine switchover's hold is well under 1 s here (max 423 ms
     * measured, stalls up to 700 ms), but when the leader dies mid-switchover its hold stays in place until the next
     * leader restores writes, which Baton promises within 3 s of the death (the dead leader's ZooKeeper session ends
     * 2 s after it; bench leader-kill measures it), and the hold began before the death. With 1 s, 114-218 checkouts
     * of a leader-kill bench failed 503 "shard busy" while their shard waited for the new leader. The backlog is at
     * most 4 s of one shard's arrivals (100 checkouts at 25/s), parked virtual threads that 8 pooled connections
     * write in well under a second once the hold ends; other shards are not affected.
     */
    public static final Duration WAIT_FOR_SHARD = Duration.ofSeconds(4);

    public CheckoutOptions {
        if (retryBudget.isNegative()) throw new IllegalArgumentException("retryBudget is negative: " + retryBudget);
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= first <= max, got "
                    + firstBackoff + " and " + maxBackoff);
        }
        if (maxIdlePerWriter < 0) throw new IllegalArgumentException("maxIdlePerWriter is negative: " + maxIdlePerWriter);
        if (writesPerShard < 1) throw new IllegalArgumentException("writesPerShard must be >= 1, got " + writesPerShard);
        if (waitForShard.isNegative()) throw new IllegalArgumentException("waitForShard is negative: " + waitForShard);
    }

    public static CheckoutOptions defaults() {
        return new CheckoutOptions(Duration.ofSeconds(2), Duration.ofMillis(5), Duration.ofMillis(20),
                Duration.ofSeconds(3), Duration.ofSeconds(3), WRITES_PER_SHARD, WRITES_PER_SHARD, WAIT_FOR_SHARD);
    }

    /** The same with another bulkhead: {@code writes} per shard at once, a checkout waiting up to {@code wait} for a turn. */
    public CheckoutOptions withBulkhead(int writes, Duration wait) {
        return new CheckoutOptions(retryBudget, firstBackoff, maxBackoff, connectTimeout, socketTimeout, maxIdlePerWriter,
                writes, wait);
    }

    /** The pause after failed attempt number {@code attempt} (1-based): first, 2x, 4x, ... capped at max. */
    public Duration backoffAfter(int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        Duration d = firstBackoff;
        for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) d = d.multipliedBy(2);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
