package dev.baton.orchestrator.consul;

/**
 * A KV write, for the failover report.
 *
 * @param before        the value before; null when the key did not exist
 * @param observedIndex the key's ModifyIndex when it was read (0: absent), the check-and-set guard of the write
 */
public record KvChange(String key, String before, String after, long observedIndex) {
    public boolean changed() {
        return !after.equals(before);
    }
}
