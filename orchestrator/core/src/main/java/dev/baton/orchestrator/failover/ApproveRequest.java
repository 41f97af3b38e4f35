package dev.baton.orchestrator.failover;

/** The optional body of an approval: a comment, for the failover's timeline and the audit log. */
public record ApproveRequest(String comment) {
}
