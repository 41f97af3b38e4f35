package dev.baton.chaos.workload.checkout;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;

import java.util.Collection;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A bulkhead per shard, as Semian gives each MySQL shard its own tickets: a shard whose writes are
 * held (switchover, lock, dead primary) ties up only its own turns, so checkouts to every other
 * shard keep their latency. Fair, so the longest waiter goes first when a turn frees up.
 */
final class ShardBulkheads {
    private final Map<String, Bulkhead> byShard;
    private final Map<String, AtomicInteger> waiting;

    ShardBulkheads(Collection<String> shards, CheckoutOptions options) {
        BulkheadConfig config = BulkheadConfig.custom()
                .maxConcurrentCalls(options.writesPerShard())
                .maxWaitDuration(options.waitForShard())
                .fairCallHandlingStrategyEnabled(true)
                .build();
        this.byShard = shards.stream().collect(Collectors.toUnmodifiableMap(Function.identity(),
                shard -> Bulkhead.of("shard-" + shard, config)));
        this.waiting = shards.stream().collect(Collectors.toUnmodifiableMap(Function.identity(), shard -> new AtomicInteger()));
    }

    /** Waits up to the configured time for a turn at this shard; false when none came. */
    boolean enter(String shard) {
        Bulkhead b = of(shard);
        AtomicInteger queue = waiting.get(shard);
        queue.incrementAndGet();
        try {
            return b.tryAcquirePermission();
        } finally {
            queue.decrementAndGet();
        }
    }

    /** Gives back a turn taken by {@link #enter}. */
    void leave(String shard) {
        of(shard).onComplete();
    }

    /** Checkouts waiting for a turn per shard, for {@code /stats}. */
    Map<String, Integer> waiting() {
        Map<String, Integer> now = new TreeMap<>();
        waiting.forEach((shard, n) -> now.put(shard, n.get()));
        return now;
    }

    /** Writes under way per shard, for {@code /stats}. */
    Map<String, Integer> writing() {
        Map<String, Integer> busy = new TreeMap<>();
        byShard.forEach((shard, b) -> busy.put(shard,
                b.getMetrics().getMaxAllowedConcurrentCalls() - b.getMetrics().getAvailableConcurrentCalls()));
        return busy;
    }

    private Bulkhead of(String shard) {
        Bulkhead b = byShard.get(shard);
        if (b == null) throw new NoSuchElementException("no bulkhead for shard " + shard + "; known: " + byShard.keySet());
        return b;
    }
}
