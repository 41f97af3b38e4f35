package dev.baton.chaos.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.nio.file.Path;
import java.util.List;

/**
 * What runs in a lab and what does not: one entry per process the lab started, the live role of
 * every MariaDB server, and the topology the lab was built with.
 *
 * @param standIns null for a lab recorded before the lab had stand-ins
 */
public record LabStatus(Path dir, Topology topology, StandIns standIns, List<Entry> processes, List<ServerState> servers) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public record Entry(String name, long pid, Endpoint endpoint, boolean running) {
    }

    public LabStatus {
        processes = List.copyOf(processes);
        servers = List.copyOf(servers);
    }

    public boolean allRunning() {
        return !processes.isEmpty() && processes.stream().allMatch(Entry::running);
    }

    public List<Entry> dead() {
        return processes.stream().filter(e -> !e.running()).toList();
    }

    public ServerState server(String id) {
        return servers.stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new LabException("lab in " + dir + " has no database server '" + id + "'"));
    }

    /** Tables for people: one line per process, what the stand-ins stand in for, then one line per MariaDB server with its live role. */
    public String table() {
        int width = Math.max(8, processes.stream().mapToInt(e -> e.name().length()).max().orElse(0));
        StringBuilder out = new StringBuilder("lab " + dir + "\n");
        out.append(String.format("%-" + width + "s  %8s  %-22s  %s%n", "PROCESS", "PID", "ENDPOINT", "STATE"));
        for (Entry e : processes) {
            out.append(String.format("%-" + width + "s  %8d  %-22s  %s%n", e.name(), e.pid(), e.endpoint() == null ? "-" : e.endpoint(),
                    e.running() ? "running" : "DEAD"));
        }
        if (standIns != null) {
            out.append(String.format("%n%-17s  %-40s  %s%n", "STAND-IN", "URL", "IN PLACE OF"));
            out.append(String.format("%-17s  %-40s  %s%n", "consul stand-in", standIns.consulUrl(),
                    "a Consul agent (a stand-in, not Consul: KV and catalog calls only)"));
            out.append(String.format("%-17s  %-40s  %s%n", "notification sink", standIns.notifyUrl("<channel>"),
                    "Slack and PagerDuty; what they would receive goes to " + standIns.notificationsFile()));
        }
        if (servers.isEmpty()) return out.toString();
        out.append(String.format("%n%-12s  %-6s  %-10s  %-22s  %-8s  %s%n", "SERVER", "SHARD", "DC", "ENDPOINT", "ROLE", "DETAIL"));
        for (ServerState s : servers) {
            out.append(String.format("%-12s  %-6s  %-10s  %-22s  %-8s  %s%n", s.id(), s.shard(), s.dc(), s.endpoint(),
                    s.role().label(), s.detail()));
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
