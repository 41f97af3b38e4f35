package dev.baton.orchestrator.consul;

import java.util.List;

/**
 * What one runbook consul step changes, recorded before it writes so that its undo knows what to put
 * back even when the step failed half-way.
 *
 * @param kv   the key's write; null for a catalog-tags step
 * @param tags the catalog registrations it sets, in the order it sets them; empty for a plain KV write
 */
public record ConsulChange(KvChange kv, List<TagChange> tags) {
    public ConsulChange {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }
}
