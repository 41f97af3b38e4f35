package dev.baton.orchestrator.failover;

/**
 * What the API is asked for: move every shard primary out of {@code from} to {@code to}.
 *
 * @param runbook optional; not used yet (the runbook language is a later piece)
 * @param dryRun  when true, only the plan is computed and returned; nothing changes
 * @param force   run even though the target DC is not HEALTHY; only an admin may ask
 */
public record FailoverRequest(String runbook, String from, String to, String reason, boolean dryRun, boolean force) {
}
