package dev.baton.agents.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One agent's YAML config. Example:
 * <pre>
 * agentId: agent-east-1
 * dc: east
 * topologyFile: topology.json      # relative to this file
 * coordinators: [http://127.0.1.1:7070, http://127.0.2.1:7070]
 * token: 3f9a...                   # the secret itself; coordinators store only its SHA-256
 * intervalMs: 1000                 # optional, default 1000
 * probeTimeoutMs: 800              # optional, default 800; below the interval
 * </pre>
 *
 * @param topologyFile as resolved against the config file's folder
 */
public record AgentConfig(String agentId, String dc, Path topologyFile, List<URI> coordinators, String token,
                          Integer intervalMs, Integer probeTimeoutMs) {
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    public AgentConfig {
        require(agentId, "agentId");
        require(dc, "dc");
        if (topologyFile == null) throw new IllegalArgumentException("topologyFile is missing");
        if (coordinators == null || coordinators.isEmpty()) throw new IllegalArgumentException("coordinators: at least one URL is needed");
        coordinators = List.copyOf(coordinators);
        for (URI c : coordinators) {
            if (!"http".equals(c.getScheme()) && !"https".equals(c.getScheme()) || c.getHost() == null) {
                throw new IllegalArgumentException("coordinators: '" + c + "' is not an http(s) URL with a host");
            }
        }
        require(token, "token");
        if (intervalMs == null) intervalMs = 1000;
        if (probeTimeoutMs == null) probeTimeoutMs = 800;
        if (intervalMs < 100) throw new IllegalArgumentException("intervalMs must be at least 100, got " + intervalMs);
        if (probeTimeoutMs < 1 || probeTimeoutMs >= intervalMs) {
            throw new IllegalArgumentException("probeTimeoutMs must be between 1 and intervalMs (" + intervalMs
                    + ") exclusive, got " + probeTimeoutMs + ": a round never outlasts the interval");
        }
    }

    public Duration interval() {
        return Duration.ofMillis(intervalMs);
    }

    public Duration probeTimeout() {
        return Duration.ofMillis(probeTimeoutMs);
    }

    /** Reads and checks {@code file}, and that the topology it names has the agent's DC. */
    public static AgentConfig read(Path file) {
        Path source = file.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(source);
        } catch (IOException e) {
            throw new AgentConfigException("cannot read agent config " + source + ": " + e);
        }
        AgentConfig raw;
        try {
            raw = YAML.readValue(text, AgentConfig.class);
        } catch (JsonProcessingException e) {
            throw new AgentConfigException(describe(source, e), e);
        }
        if (raw == null) throw new AgentConfigException(source + ": the file is empty");
        AgentConfig config = new AgentConfig(raw.agentId, raw.dc, source.getParent().resolve(raw.topologyFile).normalize(),
                raw.coordinators, raw.token, raw.intervalMs, raw.probeTimeoutMs);
        Topology topology = config.topology(source);
        if (topology.datacenter(config.dc).isEmpty()) {
            throw new AgentConfigException(source + ": dc: unknown DC '" + config.dc + "'; " + config.topologyFile + " has "
                    + String.join(", ", topology.datacenterNames()));
        }
        return config;
    }

    public Topology topology() {
        return topology(topologyFile);
    }

    private Topology topology(Path source) {
        try {
            return Topology.read(topologyFile);
        } catch (RuntimeException e) {
            throw new AgentConfigException(source + ": topologyFile: " + e.getMessage(), e);
        }
    }

    /** Where in the file, which field, what is wrong; without Jackson's class names. */
    private static String describe(Path source, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr());
        String path = e instanceof JsonMappingException m ? m.getPath().stream()
                .map(r -> r.getIndex() >= 0 ? "[" + r.getIndex() + "]" : "." + r.getFieldName())
                .collect(Collectors.joining()).replaceFirst("^\\.", "") : "";
        String what;
        if (e instanceof UnrecognizedPropertyException u) {
            what = "unknown field '" + u.getPropertyName() + "'; known: " + u.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
        } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            what = v.getCause().getMessage();
        } else {
            what = e.getOriginalMessage().lines().findFirst().orElse("");
        }
        return where + ": " + (path.isEmpty() ? "" : path + ": ") + what;
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + " is missing");
    }

    /** The token stays out of logs and error messages. */
    @Override
    public String toString() {
        return "AgentConfig[agentId=" + agentId + ", dc=" + dc + ", topologyFile=" + topologyFile + ", coordinators="
                + coordinators + ", intervalMs=" + intervalMs + ", probeTimeoutMs=" + probeTimeoutMs + "]";
    }
}
