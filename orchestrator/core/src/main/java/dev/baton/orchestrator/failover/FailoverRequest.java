package dev.baton.orchestrator.failover;

import java.util.List;

/**
 * What the API is asked for: run a runbook from {@code from} to {@code to}.
 *
 * @param runbook a name in the coordinator's runbook catalog (shipped or the site's own, never a file); null or blank
 *                for the default ({@code planned-evacuation}, or {@code fail-back} into a DC that is itself drained)
 * @param dryRun  when true, only the plan is computed and returned; nothing changes
 * @param force   run even though the target DC is not HEALTHY; only an admin may ask
 * @param shards  the shards to move; empty for the runbook's default (every shard whose primary is in {@code from});
 *                a single-shard runbook needs exactly one
 */
public record FailoverRequest(String runbook, String from, String to, String reason, boolean dryRun, boolean force,
                              List<String> shards) {
    public FailoverRequest {
        shards = shards == null ? List.of() : List.copyOf(shards);
    }

    /** A request for the runbook's default shards. */
    public FailoverRequest(String runbook, String from, String to, String reason, boolean dryRun, boolean force) {
        this(runbook, from, to, reason, dryRun, force, List.of());
    }
}
