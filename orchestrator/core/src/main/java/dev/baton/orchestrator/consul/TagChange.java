package dev.baton.orchestrator.consul;

import java.util.List;
import java.util.Objects;

/**
 * One DC's registration of a catalog service, before and after a tag update.
 *
 * @param before its tags before; null when the DC's instance was not registered
 * @param after  its tags after; null when the instance was deregistered (an undo of a step that registered it)
 */
public record TagChange(String service, String dc, List<String> before, List<String> after) {
    public TagChange {
        before = before == null ? null : List.copyOf(before);
        after = after == null ? null : List.copyOf(after);
    }

    public boolean changed() {
        return !Objects.equals(after, before);
    }
}
