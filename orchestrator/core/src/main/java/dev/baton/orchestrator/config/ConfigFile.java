package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.baton.wire.Topology;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's YAML file as written. The world is either inline ({@code topology}, the
 * shape of the lab's topology.json) or a path to such a file ({@code topologyFile}, relative to
 * the config's folder), never both.
 *
 * @param auditLog JSON-lines file of every mutating API call; relative to the config's folder;
 *                 default {@code audit.jsonl}
 * @param channels the channels runbooks' notify steps may name, by name, in the file's order (YAML {@code notify:};
 *                 {@code notify} itself is taken by {@link Object#notify()})
 * @param consul   where runbooks' consul steps write; null when none does
 * @param runbooks the directory of the site's own runbooks, one {@code NAME.yaml} each, relative to the config's
 *                 folder; read when the coordinator starts (a change needs a restart); null for the shipped ones alone
 * @param console  the web console's session lifetimes; null for the defaults
 */
public record ConfigFile(Topology topology, String topologyFile, List<CoordinatorPeer> coordinators,
                         ZooKeeperConfig zookeeper, List<ApiUser> users, List<AgentAccount> agents, String auditLog,
                         @JsonProperty("notify") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, NotifyChannel> channels,
                         @JsonInclude(JsonInclude.Include.NON_NULL) ConsulConfig consul,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String runbooks,
                         @JsonInclude(JsonInclude.Include.NON_NULL) ConsoleSettings console) {
    public ConfigFile {
        if ((topology == null) == (topologyFile == null)) {
            throw new IllegalArgumentException("give exactly one of 'topology' (inline) and 'topologyFile' (a path to topology.json)");
        }
        Required.present(coordinators, "coordinators");
        if (coordinators.isEmpty()) throw new IllegalArgumentException("field 'coordinators' lists no coordinator");
        coordinators = List.copyOf(coordinators);
        Required.present(zookeeper, "zookeeper");
        users = users == null ? List.of() : List.copyOf(users);
        agents = agents == null ? List.of() : List.copyOf(agents);
        if (auditLog == null) auditLog = "audit.jsonl";
        channels = channels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(channels));
    }

    /** A config with the console's defaults. */
    public ConfigFile(Topology topology, String topologyFile, List<CoordinatorPeer> coordinators, ZooKeeperConfig zookeeper,
                      List<ApiUser> users, List<AgentAccount> agents, String auditLog, Map<String, NotifyChannel> channels,
                      ConsulConfig consul, String runbooks) {
        this(topology, topologyFile, coordinators, zookeeper, users, agents, auditLog, channels, consul, runbooks, null);
    }

    /** A config without a runbooks directory. */
    public ConfigFile(Topology topology, String topologyFile, List<CoordinatorPeer> coordinators, ZooKeeperConfig zookeeper,
                      List<ApiUser> users, List<AgentAccount> agents, String auditLog, Map<String, NotifyChannel> channels,
                      ConsulConfig consul) {
        this(topology, topologyFile, coordinators, zookeeper, users, agents, auditLog, channels, consul, null, null);
    }

    /** A config without notify channels, Consul or a runbooks directory. */
    public ConfigFile(Topology topology, String topologyFile, List<CoordinatorPeer> coordinators, ZooKeeperConfig zookeeper,
                      List<ApiUser> users, List<AgentAccount> agents, String auditLog) {
        this(topology, topologyFile, coordinators, zookeeper, users, agents, auditLog, null, null, null, null);
    }
}
