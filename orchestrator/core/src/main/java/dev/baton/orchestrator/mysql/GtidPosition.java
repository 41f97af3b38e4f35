package dev.baton.orchestrator.mysql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A MariaDB GTID position or state, e.g. {@code 0-1-42,1-3-7}: a list of
 * {@code domain-server-sequence}. A position ({@code gtid_binlog_pos}) has one entry per domain; a
 * state ({@code gtid_binlog_state}) has one per domain and server.
 */
public record GtidPosition(List<Gtid> gtids) {

    public record Gtid(long domain, long server, long sequence) {
        @Override
        public String toString() {
            return domain + "-" + server + "-" + sequence;
        }
    }

    public static final GtidPosition EMPTY = new GtidPosition(List.of());

    public GtidPosition {
        gtids = List.copyOf(gtids);
    }

    public static GtidPosition parse(String text) {
        if (text == null || text.isBlank()) return EMPTY;
        List<Gtid> gtids = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] f = part.trim().split("-");
            if (f.length != 3) throw new IllegalArgumentException("not a GTID: '" + part.trim() + "' in '" + text + "'");
            try {
                gtids.add(new Gtid(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a GTID: '" + part.trim() + "' in '" + text + "'", e);
            }
        }
        return new GtidPosition(gtids);
    }

    /**
     * Whether a server at this position has applied everything up to {@code other}: in every
     * domain of {@code other} this position reaches at least the same sequence number. This is
     * what {@code MASTER_GTID_WAIT} waits for (sequence numbers grow within a domain).
     */
    public boolean contains(GtidPosition other) {
        return other.gtids.stream().allMatch(g -> highestIn(g.domain()).filter(s -> s >= g.sequence()).isPresent());
    }

    /** How many transactions this position still misses to reach {@code other}, summed over the domains. */
    public long behind(GtidPosition other) {
        return other.gtids.stream()
                .mapToLong(g -> Math.max(0, g.sequence() - highestIn(g.domain()).orElse(0L)))
                .sum();
    }

    /**
     * The GTIDs of this binlog state that {@code primaryState} has never seen: for each
     * domain-server pair, a higher sequence here than there (or a pair it lacks). These are errant
     * transactions, written on this server and not on the primary. Compare {@code gtid_binlog_state}
     * values: a position keeps only the last GTID of a domain and would hide older servers' GTIDs.
     */
    public List<Gtid> notIn(GtidPosition primaryState) {
        return gtids.stream()
                .filter(g -> primaryState.gtids.stream()
                        .noneMatch(p -> p.domain() == g.domain() && p.server() == g.server() && p.sequence() >= g.sequence()))
                .toList();
    }

    private Optional<Long> highestIn(long domain) {
        return gtids.stream().filter(g -> g.domain() == domain).map(Gtid::sequence).max(Comparator.naturalOrder());
    }

    @Override
    public String toString() {
        return gtids.stream().map(Gtid::toString).collect(Collectors.joining(","));
    }
}
