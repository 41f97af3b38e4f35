package dev.baton.orchestrator.config;

import dev.baton.wire.Topology;

import java.util.List;

/**
 * The coordinator's YAML file as written. The world is either inline ({@code topology}, the
 * shape of the lab's topology.json) or a path to such a file ({@code topologyFile}, relative to
 * the config's folder), never both.
 *
 * @param auditLog JSON-lines file of every mutating API call; relative to the config's folder;
 *                 default {@code audit.jsonl}
 */
public record ConfigFile(Topology topology, String topologyFile, List<CoordinatorPeer> coordinators,
                         ZooKeeperConfig zookeeper, List<ApiUser> users, List<AgentAccount> agents, String auditLog) {
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
    }
}
