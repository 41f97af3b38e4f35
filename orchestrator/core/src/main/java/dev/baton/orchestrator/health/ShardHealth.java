package dev.baton.orchestrator.health;

import java.util.List;
import java.util.Optional;

/**
 * Where a shard's writes can land and how its replicas follow, from the servers' own reports
 * (not from the topology file, which records roles only as they were).
 *
 * @param writable every reachable server that is not read-only: exactly one is right
 * @param problems e.g. no writable primary, two writable primaries, a replica not replicating
 */
public record ShardHealth(String shard, List<String> writable, List<ServerHealth> servers, List<String> problems) {
    public ShardHealth {
        writable = List.copyOf(writable);
        servers = List.copyOf(servers);
        problems = List.copyOf(problems);
    }

    /** The writable primary, when there is exactly one. */
    public Optional<String> primary() {
        return writable.size() == 1 ? Optional.of(writable.getFirst()) : Optional.empty();
    }
}
