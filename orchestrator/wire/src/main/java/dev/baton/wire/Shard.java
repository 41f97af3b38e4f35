package dev.baton.wire;

import java.util.List;
import java.util.Optional;

/**
 * A shard: one primary and a replica in every other datacenter.
 *
 * @param index 0-based; shop {@code n} lives on the shard with index {@code n % shardCount}
 */
public record Shard(String name, int index, List<DbServer> servers) {
    public Shard {
        servers = List.copyOf(servers);
    }

    public Optional<DbServer> serverIn(String dc) {
        return servers.stream().filter(s -> s.dc().equals(dc)).findFirst();
    }

    /** The server recorded as primary (the servers themselves may disagree after a switchover). */
    public Optional<DbServer> recordedPrimary() {
        return servers.stream().filter(s -> s.role() == Role.PRIMARY).findFirst();
    }
}
