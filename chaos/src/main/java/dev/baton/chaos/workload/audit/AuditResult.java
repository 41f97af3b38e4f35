package dev.baton.chaos.workload.audit;

import java.util.List;
import java.util.Map;

/**
 * What the order audit found.
 *
 * @param checked    acknowledged orders checked
 * @param primaries  per shard, the server found writable and not replicating
 * @param lost       per server, each acknowledged order it lacks
 * @param duplicated acknowledged orders stored more than once
 * @param lagging    replicas that did not reach their primary's GTID position in time
 *                   (their lost orders may only be late)
 * @param problems   what kept the audit from checking everything (unreachable server, no or two primaries)
 */
public record AuditResult(int checked, Map<String, String> primaries, List<LostOrder> lost,
                          List<DuplicatedOrder> duplicated, List<String> lagging, List<String> problems) {

    public AuditResult {
        primaries = Map.copyOf(primaries);
        lost = List.copyOf(lost);
        duplicated = List.copyOf(duplicated);
        lagging = List.copyOf(lagging);
        problems = List.copyOf(problems);
    }

    /** Distinct acknowledged orders missing from at least one server. */
    public long lostOrders() {
        return lost.stream().map(LostOrder::idempotencyKey).distinct().count();
    }

    /** Every order there exactly once, everywhere, and nothing left unchecked. */
    public boolean clean() {
        return lost.isEmpty() && duplicated.isEmpty() && lagging.isEmpty() && problems.isEmpty();
    }
}
