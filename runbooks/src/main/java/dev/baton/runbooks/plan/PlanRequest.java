package dev.baton.runbooks.plan;

import java.util.List;
import java.util.Map;

/**
 * What someone asks a runbook to do.
 *
 * @param shards     empty for the runbook's scope default (every shard whose primary is in {@code from})
 * @param parameters values for the runbook's declared parameters, over their defaults
 */
public record PlanRequest(String from, String to, List<String> shards, String reason, Map<String, String> parameters) {
    public PlanRequest {
        shards = List.copyOf(shards);
        reason = reason == null ? "" : reason;
        parameters = Map.copyOf(parameters);
    }

    public static PlanRequest of(String from, String to) {
        return new PlanRequest(from, to, List.of(), "", Map.of());
    }
}
