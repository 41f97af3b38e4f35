package dev.baton.wire;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The world Baton acts on: datacenters, shards and their servers, DNS, ZooKeeper, accounts.
 * The lab writes it as JSON ({@code topology.json}); every other component reads it.
 */
public record Topology(String name, List<Datacenter> datacenters, List<Shard> shards, Dns dns,
                       Endpoint zookeeper, Credentials credentials) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Topology {
        datacenters = List.copyOf(datacenters);
        shards = List.copyOf(shards);
    }

    public Optional<Datacenter> datacenter(String name) {
        return datacenters.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    public Optional<Shard> shard(String name) {
        return shards.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Shops are spread over shards by {@code shopId % shardCount}. */
    public Shard shardForShop(long shopId) {
        int index = (int) Math.floorMod(shopId, (long) shards.size());
        return shards.stream().filter(s -> s.index() == index).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no shard with index " + index));
    }

    public List<String> datacenterNames() {
        return datacenters.stream().map(Datacenter::name).toList();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Topology fromJson(String json) {
        try {
            return JSON.readValue(json, Topology.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed topology: " + e.getMessage(), e);
        }
    }

    public static Topology read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read topology " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, toJson());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write topology " + file + ": " + e.getMessage(), e);
        }
    }
}
