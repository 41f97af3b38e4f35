package dev.baton.orchestrator.failover;

/** The optional body of an abort: why, for the failover's reason and the audit log. */
public record AbortRequest(String reason) {
}
