package dev.baton.chaos.workload.load;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a load run did. Latency is measured from each checkout's planned start, so a stalled
 * generator or app shows up in it rather than being hidden (open loop).
 */
public record LoadResult(long attempted, long acknowledged, long failed, Map<String, Long> failureReasons,
                         LatencySummary latencyMs, List<AcknowledgedOrder> orders, List<FailedCheckout> failures) {

    public LoadResult {
        failureReasons = Map.copyOf(failureReasons);
        orders = List.copyOf(orders);
        failures = List.copyOf(failures);
    }

    static LoadResult of(long attempted, LatencySummary latency, List<AcknowledgedOrder> orders,
                         List<FailedCheckout> failures) {
        Map<String, Long> reasons = failures.stream().collect(Collectors.groupingBy(FailedCheckout::reason,
                TreeMap::new, Collectors.counting()));
        return new LoadResult(attempted, orders.size(), failures.size(), reasons, latency, orders, failures);
    }

    /** Checkouts still in flight when the result was taken (neither acknowledged nor failed yet). */
    public long inFlight() {
        return attempted - acknowledged - failed;
    }

    /** Failed checkouts planned inside [fromNanos, toNanos], e.g. one switchover round. */
    public long failedBetween(long fromNanos, long toNanos) {
        return failures.stream().filter(f -> f.plannedAtNanos() >= fromNanos && f.plannedAtNanos() <= toNanos).count();
    }

    /** Up to {@code perReason} distinct failure details per reason: the count alone does not say what broke. */
    public Map<String, List<String>> failureSamples(int perReason) {
        return failures.stream().collect(Collectors.groupingBy(FailedCheckout::reason, TreeMap::new,
                Collectors.collectingAndThen(Collectors.mapping(FailedCheckout::detail, Collectors.toCollection(LinkedHashSet::new)),
                        details -> details.stream().limit(perReason).toList())));
    }

    /** Acknowledged orders per shard. */
    public Map<String, List<AcknowledgedOrder>> ordersByShard() {
        return orders.stream().collect(Collectors.groupingBy(AcknowledgedOrder::shard, TreeMap::new,
                Collectors.mapping(Function.identity(), Collectors.toList())));
    }
}
