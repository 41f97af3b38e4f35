package dev.baton.chaos.workload.audit;

import java.util.List;

/**
 * An acknowledged order stored more than once: several rows on one server, or rows on the
 * primaries of several shards.
 *
 * @param copies the most copies seen on one server, or the number of shards holding it
 * @param where  the servers that hold more than one copy, or the primaries that each hold one
 */
public record DuplicatedOrder(String idempotencyKey, int copies, List<String> where) {
    public DuplicatedOrder {
        where = List.copyOf(where);
    }
}
