package dev.baton.orchestrator.health;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.TokenHash;

import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which agent a bearer token belongs to, by the config's token hashes ({@link TokenHash}).
 * Every stored hash is compared, in constant time, so timing says nothing about which agent
 * (or how many bytes) matched.
 */
public final class AgentTokens {
    private final List<AgentAccount> agents;
    /** The agents' hashes as bytes, parsed once: every report is checked against all of them. */
    private final List<byte[]> digests;

    public AgentTokens(List<AgentAccount> agents) {
        Set<String> ids = new HashSet<>();
        for (AgentAccount agent : agents) {
            if (!ids.add(agent.id())) throw new IllegalArgumentException("agent " + agent.id() + " is registered twice");
        }
        this.agents = List.copyOf(agents);
        this.digests = this.agents.stream().map(a -> a.token().digest()).toList();
    }

    public Optional<AgentAccount> authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) return Optional.empty();
        byte[] presented = TokenHash.digest(bearerToken);
        AgentAccount match = null;
        for (int i = 0; i < agents.size(); i++) {
            if (MessageDigest.isEqual(presented, digests.get(i))) match = agents.get(i);
        }
        return Optional.ofNullable(match);
    }

    public Optional<AgentAccount> agent(String id) {
        return agents.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    public List<AgentAccount> agents() {
        return agents;
    }
}
