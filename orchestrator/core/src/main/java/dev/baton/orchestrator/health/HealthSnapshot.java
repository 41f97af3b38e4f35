package dev.baton.orchestrator.health;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/** Every DC's and every shard's health at one evaluation. */
public record HealthSnapshot(Instant at, List<DcHealth> datacenters, List<ShardHealth> shards) {
    public HealthSnapshot {
        datacenters = List.copyOf(datacenters);
        shards = List.copyOf(shards);
    }

    public DcHealth dc(String name) {
        return datacenters.stream().filter(d -> d.dc().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("unknown datacenter " + name + "; known: "
                        + datacenters.stream().map(DcHealth::dc).toList()));
    }

    public ShardHealth shard(String name) {
        return shards.stream().filter(s -> s.shard().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("unknown shard " + name + "; known: "
                        + shards.stream().map(ShardHealth::shard).toList()));
    }
}
