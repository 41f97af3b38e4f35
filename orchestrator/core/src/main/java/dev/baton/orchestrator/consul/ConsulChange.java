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

    /**
     * This change as seen from before {@code first}, an earlier attempt of the same step that may have
     * written already: what that attempt found before is kept, so an undo puts back what was there
     * before the step, not what its first attempt left.
     */
    public ConsulChange since(ConsulChange first) {
        KvChange keptKv = kv == null || first.kv() == null ? kv : new KvChange(kv.key(), first.kv().before(), kv.after(), kv.observedIndex());
        List<TagChange> keptTags = tags.stream().map(t -> first.tags().stream()
                .filter(f -> f.service().equals(t.service()) && f.dc().equals(t.dc())).findFirst()
                .map(f -> new TagChange(t.service(), t.dc(), f.before(), t.after())).orElse(t)).toList();
        return new ConsulChange(keptKv, keptTags);
    }
}
