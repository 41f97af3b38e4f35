package dev.baton.orchestrator.consul;

import java.util.List;

/**
 * What switching the active DC changes in Consul: the KV document and each DC's catalog tags.
 *
 * @param before        the document before; null when the key did not exist
 * @param beforeValue   {@code before} as the key stored it, byte for byte: what an undo puts back
 * @param after         the document after; {@code before} itself when the routing is already the wanted one
 * @param observedIndex the key's ModifyIndex when it was read (0: absent): {@link ConsulDirector#apply} writes
 *                      only if nobody wrote the key since
 * @param tags          one per DC of the topology, in topology order
 */
public record ActiveDcChange(String key, ActiveDc before, String beforeValue, ActiveDc after, long observedIndex, List<TagChange> tags) {
    public ActiveDcChange {
        tags = List.copyOf(tags);
    }

    public boolean kvChanged() {
        return !after.equals(before);
    }

    public boolean changed() {
        return kvChanged() || tags.stream().anyMatch(TagChange::changed);
    }

    /** The document's write as the raw values the key holds, which is what an undo compares and puts back. */
    public KvChange kv() {
        return new KvChange(key, beforeValue, kvChanged() ? after.toJson() : beforeValue, observedIndex);
    }
}
