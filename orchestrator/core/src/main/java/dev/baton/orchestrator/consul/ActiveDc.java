package dev.baton.orchestrator.consul;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The document Baton keeps in Consul KV: which DC takes checkout traffic and where each shard's
 * primary is, with the failover that made it so.
 *
 * @param shards shard name to the DC of its primary, sorted by shard name
 */
public record ActiveDc(String activeDc, Map<String, String> shards, String failoverId, Instant at) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ActiveDc {
        if (activeDc == null || activeDc.isBlank()) throw new IllegalArgumentException("active DC is empty");
        shards = Collections.unmodifiableMap(new TreeMap<>(shards));
    }

    /** Every shard of {@code topology} with its primary in {@code dc}: what a whole-DC failover leaves. */
    public static ActiveDc allIn(Topology topology, String dc, String failoverId, Instant at) {
        return new ActiveDc(dc, topology.shards().stream().collect(Collectors.toMap(Shard::name, s -> dc)), failoverId, at);
    }

    /** Same DC and same primaries, whoever wrote it and when: an apply that would only change those is no change. */
    public boolean sameRouting(ActiveDc other) {
        return other != null && activeDc.equals(other.activeDc) && shards.equals(other.shards);
    }

    /** This document with {@code shard}'s primary in {@code dc}: a single-shard switchover. */
    public ActiveDc withShard(String shard, String dc, String failoverId, Instant at) {
        Map<String, String> moved = new TreeMap<>(shards);
        moved.put(shard, dc);
        return new ActiveDc(activeDc, moved, failoverId, at);
    }

    /** The document as stored: {@code {"activeDc":..,"shards":{..},"failoverId":..,"at":"2026-..Z"}}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + this + " as JSON", e);
        }
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code json} */
    public static ActiveDc fromJson(String json) {
        try {
            return JSON.readValue(json, ActiveDc.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }
}
