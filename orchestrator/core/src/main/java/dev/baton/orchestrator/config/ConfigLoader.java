package dev.baton.orchestrator.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reads and writes the coordinator's YAML config; every error names the file, line, column and field. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private ConfigLoader() {
    }

    public static CoordinatorConfig load(Path file) {
        Path source = file.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(source);
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + source + ": " + e);
        }
        ConfigFile raw;
        try {
            raw = YAML.readValue(text, ConfigFile.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(describe(source, e), e);
        }
        if (raw == null) throw new ConfigException(source + ": the file is empty");
        Path dir = source.getParent();
        Topology topology = raw.topology();
        if (topology == null) {
            Path topologyFile = dir.resolve(raw.topologyFile());
            try {
                topology = Topology.read(topologyFile);
            } catch (RuntimeException e) {
                throw new ConfigException(source + ": topologyFile: " + e.getMessage(), e);
            }
        }
        check(source, raw, topology);
        return new CoordinatorConfig(source, topology, raw.coordinators(), raw.zookeeper(), raw.users(), raw.agents(),
                dir.resolve(raw.auditLog()), raw.channels(), raw.consul() == null ? null : raw.consul().target(topology.name()),
                raw.runbooks() == null ? null : dir.resolve(raw.runbooks()), raw.console());
    }

    /** Mode 600: the file may hold secrets Baton must send as they are (a PagerDuty routing key). */
    public static void write(ConfigFile config, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String yaml = YAML.writeValueAsString(config);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new ConfigException("cannot write config " + file + ": " + e.getMessage(), e);
        }
    }

    /** What the parser knows: where in the file, which field, what is wrong, without Jackson's class names. */
    static String describe(Path source, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = source + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr());
        String path = e instanceof JsonMappingException m ? path(m) : "";
        String what;
        if (e instanceof UnrecognizedPropertyException u) {
            what = "unknown field '" + u.getPropertyName() + "'; known: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
        } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            what = v.getCause().getMessage();
        } else {
            what = e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("`[a-z]+(\\.[a-z]+)+\\.", "`");
        }
        return where + ": " + (path.isEmpty() ? "" : path + ": ") + what;
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
            else if (r.getFieldName() != null) sb.append(sb.isEmpty() ? "" : ".").append(r.getFieldName());
        }
        return sb.toString();
    }

    /** Checks across fields, which the parser cannot do; the message names the field's path. */
    private static void check(Path source, ConfigFile raw, Topology topology) {
        Set<String> dcs = topology.datacenters().stream().map(Datacenter::name).collect(Collectors.toSet());
        unique(source, "coordinators", raw.coordinators(), CoordinatorPeer::id);
        unique(source, "users", raw.users(), ApiUser::name);
        unique(source, "agents", raw.agents(), AgentAccount::id);
        for (int i = 0; i < raw.coordinators().size(); i++) {
            knownDc(source, "coordinators[" + i + "].dc", raw.coordinators().get(i).dc(), dcs);
        }
        for (int i = 0; i < raw.agents().size(); i++) {
            knownDc(source, "agents[" + i + "].dc", raw.agents().get(i).dc(), dcs);
        }
        for (String channel : raw.channels().keySet()) {
            if (!channel.matches("[A-Za-z0-9_-]+")) {
                throw new ConfigException(source + ": notify: channel name '" + channel + "' must be letters, digits, '_' or '-'");
            }
        }
    }

    private static <T> void unique(Path source, String field, List<T> items, Function<T, String> key) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String k = key.apply(items.get(i));
            if (!seen.add(k)) throw new ConfigException(source + ": " + field + "[" + i + "]: '" + k + "' appears twice");
        }
    }

    private static void knownDc(Path source, String field, String dc, Set<String> dcs) {
        if (!dcs.contains(dc)) {
            throw new ConfigException(source + ": " + field + ": unknown DC '" + dc + "'; the topology has "
                    + dcs.stream().sorted().collect(Collectors.joining(", ")));
        }
    }
}
