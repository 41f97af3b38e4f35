package dev.baton.chaos.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.wire.Endpoint;

import java.nio.file.Path;
import java.util.List;

/** What runs in a lab and what does not, one entry per process the lab started. */
public record LabStatus(Path dir, List<Entry> processes) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record Entry(String name, long pid, Endpoint endpoint, boolean running) {
    }

    public LabStatus {
        processes = List.copyOf(processes);
    }

    public boolean allRunning() {
        return !processes.isEmpty() && processes.stream().allMatch(Entry::running);
    }

    public List<Entry> dead() {
        return processes.stream().filter(e -> !e.running()).toList();
    }

    /** A table for people: one line per process. */
    public String table() {
        int width = Math.max(8, processes.stream().mapToInt(e -> e.name().length()).max().orElse(0));
        StringBuilder out = new StringBuilder("lab " + dir + "\n");
        out.append(String.format("%-" + width + "s  %8s  %-22s  %s%n", "PROCESS", "PID", "ENDPOINT", "STATE"));
        for (Entry e : processes) {
            out.append(String.format("%-" + width + "s  %8d  %-22s  %s%n", e.name(), e.pid(), e.endpoint(),
                    e.running() ? "running" : "DEAD"));
        }
        return out.toString();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new LabException("cannot write the lab status as JSON: " + e.getMessage(), e);
        }
    }
}
