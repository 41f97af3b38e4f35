package dev.baton.orchestrator.api;

import java.time.Instant;

/**
 * One line of the audit log: a mutating call, whether it was allowed and what came of it.
 *
 * @param who     the API user, or {@code anonymous} when no valid token was given
 * @param outcome {@code ok} or the error code
 * @param detail  e.g. the failover started, or the error's message
 */
public record AuditEntry(Instant at, String who, String method, String path, int status, String outcome, String detail) {
}
