package dev.baton.orchestrator.consul;

import java.util.Objects;

/**
 * A KV write, for the failover report and for its undo.
 *
 * @param before        the value before; null when the key did not exist
 * @param after         the value after; null when the key was deleted (an undo of a write that created it)
 * @param observedIndex the key's ModifyIndex when it was read (0: absent), the check-and-set guard of the write
 */
public record KvChange(String key, String before, String after, long observedIndex) {
    public boolean changed() {
        return !Objects.equals(after, before);
    }
}
