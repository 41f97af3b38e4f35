package dev.baton.orchestrator.consul;

import java.util.List;

/**
 * One DC's registration of a catalog service, before and after a tag update.
 *
 * @param before its tags before; null when the DC's instance was not registered
 */
public record TagChange(String service, String dc, List<String> before, List<String> after) {
    public TagChange {
        before = before == null ? null : List.copyOf(before);
        after = List.copyOf(after);
    }

    public boolean changed() {
        return !after.equals(before);
    }
}
