package dev.baton.orchestrator.health;

import java.time.Instant;

/**
 * The last report the view holds from one agent.
 *
 * @param lagMs  receivedAt minus sentAt: transport delay plus clock skew
 * @param silent no report within the policy's {@code silentAfter}
 */
public record AgentStatus(String agentId, String dc, long lastSequence, Instant sentAt, Instant receivedAt, long lagMs,
                          boolean silent) {
}
