package dev.baton.orchestrator.api;

import java.time.Instant;

/**
 * One line of the audit log: a mutating call, whether it was allowed and what came of it.
 *
 * @param who     the API user, or {@code anonymous} when no valid token was given, or the coordinator that acted on
 *                its own (a takeover: method {@code TAKEOVER}, status 0)
 * @param outcome {@code ok} or the error code; for a takeover, the event's type
 * @param detail  e.g. the failover started, or the error's message
 */
public record AuditEntry(Instant at, String who, String method, String path, int status, String outcome, String detail) {
}
