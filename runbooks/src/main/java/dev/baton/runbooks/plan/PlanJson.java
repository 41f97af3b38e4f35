package dev.baton.runbooks.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Plans as JSON, both ways: the CLI prints them, the engine will persist them and read them back on takeover. */
public final class PlanJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private PlanJson() {
    }

    public static String write(Plan plan) {
        try {
            return JSON.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write plan of " + plan.runbook() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static Plan read(String json) {
        try {
            return JSON.readValue(json, Plan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed plan JSON: " + e.getOriginalMessage(), e);
        }
    }
}
