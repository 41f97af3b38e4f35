package dev.baton.orchestrator.health;

import java.util.HexFormat;

/**
 * An agent the coordinator accepts reports from.
 *
 * @param tokenSha256 SHA-256 of its bearer token, lower-case hex: the coordinator never stores the token
 */
public record RegisteredAgent(String id, String dc, String tokenSha256) {
    public RegisteredAgent {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a registered agent needs an id");
        if (dc == null || dc.isBlank()) throw new IllegalArgumentException("agent " + id + " needs a dc");
        if (tokenSha256 == null || !tokenSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("agent " + id + ": tokenSha256 must be 64 lower-case hex characters");
        }
    }

    byte[] hash() {
        return HexFormat.of().parseHex(tokenSha256);
    }
}
