package dev.baton.orchestrator.health;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.TokenHash;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which agent a bearer token belongs to, by the config's token hashes ({@link TokenHash}).
 * <p>
 * One hash-map lookup by the presented token's SHA-256, not a comparison with every agent's:
 * every report pays this, and it must not grow with the number of agents. The lookup's timing can
 * at most tell a caller something about the SHA-256 of its own guess, which says nothing about
 * a stored token (256 random bits, and SHA-256 cannot be inverted).
 */
public final class AgentTokens {
    private final List<AgentAccount> agents;
    private final Map<ByteBuffer, AgentAccount> byDigest = new HashMap<>();
    private final Map<String, AgentAccount> byId = new HashMap<>();

    public AgentTokens(List<AgentAccount> agents) {
        for (AgentAccount agent : agents) {
            if (byId.put(agent.id(), agent) != null) throw new IllegalArgumentException("agent " + agent.id() + " is registered twice");
            AgentAccount other = byDigest.put(ByteBuffer.wrap(agent.token().digest()), agent);
            if (other != null) {
                throw new IllegalArgumentException("agents " + other.id() + " and " + agent.id() + " have the same token");
            }
        }
        this.agents = List.copyOf(agents);
    }

    public Optional<AgentAccount> authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) return Optional.empty();
        return Optional.ofNullable(byDigest.get(ByteBuffer.wrap(TokenHash.digest(bearerToken))));
    }

    public Optional<AgentAccount> agent(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public List<AgentAccount> agents() {
        return agents;
    }
}
