package dev.baton.orchestrator.config;

import dev.baton.orchestrator.consul.ConsulTarget;
import dev.baton.wire.Topology;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked config with its topology read and its paths resolved: what the coordinator runs on.
 *
 * @param channels the notify channels by name (YAML {@code notify:})
 * @param consul null when no Consul is configured
 * @param runbooks the site's runbooks directory, resolved; null when the config names none
 * @param console  the web console's session lifetimes
 */
public record CoordinatorConfig(Path source, Topology topology, List<CoordinatorPeer> coordinators,
                                ZooKeeperConfig zookeeper, List<ApiUser> users, List<AgentAccount> agents, Path auditLog,
                                Map<String, NotifyChannel> channels, ConsulTarget consul, Path runbooks,
                                ConsoleSettings console) {
    public CoordinatorConfig {
        coordinators = List.copyOf(coordinators);
        users = List.copyOf(users);
        agents = List.copyOf(agents);
        channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
        if (console == null) console = ConsoleSettings.DEFAULT;
    }

    public Optional<ConsulTarget> consulTarget() {
        return Optional.ofNullable(consul);
    }

    public Optional<CoordinatorPeer> coordinator(String id) {
        return coordinators.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** The user whose token this is, if any. */
    public Optional<ApiUser> userWithToken(String token) {
        return users.stream().filter(u -> u.token() != null && u.token().matches(token)).findFirst();
    }

    public Optional<ApiUser> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
