package dev.baton.orchestrator.health;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which agent a bearer token belongs to. Tokens are long random secrets, so plain SHA-256 is
 * enough; every stored hash is compared, in constant time, so timing says nothing about which
 * agent (or how many bytes) matched.
 */
public final class AgentTokens {
    private final List<RegisteredAgent> agents;

    public AgentTokens(List<RegisteredAgent> agents) {
        Set<String> ids = new HashSet<>();
        for (RegisteredAgent agent : agents) {
            if (!ids.add(agent.id())) throw new IllegalArgumentException("agent " + agent.id() + " is registered twice");
        }
        this.agents = List.copyOf(agents);
    }

    public Optional<RegisteredAgent> authenticate(String bearerToken) {
        if (bearerToken == null || bearerToken.isEmpty()) return Optional.empty();
        byte[] presented = sha256(bearerToken);
        RegisteredAgent match = null;
        for (RegisteredAgent agent : agents) {
            if (MessageDigest.isEqual(presented, agent.hash())) match = agent;
        }
        return Optional.ofNullable(match);
    }

    public Optional<RegisteredAgent> agent(String id) {
        return agents.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    public List<RegisteredAgent> agents() {
        return agents;
    }

    /** What to store for a token. */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
