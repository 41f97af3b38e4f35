package dev.baton.wire.health;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * What one agent saw in its DC during one round of probes, as it posts it to every coordinator.
 *
 * @param sequence increases with every report of this agent, across restarts too, so a
 *                 coordinator can drop stale and replayed reports
 */
public record HealthReport(String agentId, String dc, long sequence, Instant sentAt, List<Probe> probes) {
    /** Where agents post reports on a coordinator. */
    public static final String PATH = "/api/v1/agents/reports";

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public HealthReport {
        if (agentId == null || agentId.isBlank()) throw new IllegalArgumentException("health report without an agentId");
        if (dc == null || dc.isBlank()) throw new IllegalArgumentException("health report of agent " + agentId + " without a dc");
        if (sentAt == null) throw new IllegalArgumentException("health report of agent " + agentId + " without sentAt");
        probes = List.copyOf(probes);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Unknown fields and unknown probe kinds are refused: a coordinator should say so, not guess. */
    public static HealthReport fromJson(String json) {
        try {
            return JSON.readValue(json, HealthReport.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed health report: " + e.getMessage(), e);
        }
    }
}
