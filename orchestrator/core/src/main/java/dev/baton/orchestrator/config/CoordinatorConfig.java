package dev.baton.orchestrator.config;

import dev.baton.wire.Topology;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A checked config with its topology read and its paths resolved: what the coordinator runs on. */
public record CoordinatorConfig(Path source, Topology topology, List<CoordinatorPeer> coordinators,
                                ZooKeeperConfig zookeeper, List<ApiUser> users, List<AgentAccount> agents, Path auditLog) {
    public CoordinatorConfig {
        coordinators = List.copyOf(coordinators);
        users = List.copyOf(users);
        agents = List.copyOf(agents);
    }

    public Optional<CoordinatorPeer> coordinator(String id) {
        return coordinators.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The user whose token this is, if any. */
    public Optional<ApiUser> userWithToken(String token) {
        return users.stream().filter(u -> u.token().matches(token)).findFirst();
    }
}
