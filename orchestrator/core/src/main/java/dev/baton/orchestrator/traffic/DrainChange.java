package dev.baton.orchestrator.traffic;

import java.util.List;

/**
 * Every checkout server weight a drain or undrain looked at, in every DC's HAProxy, before and after.
 *
 * @param unreachable HAProxies left as they were because they did not answer and their DC is down
 *                    (an emergency failover); empty otherwise, and in records written before it existed
 */
public record DrainChange(List<WeightChange> weights, List<String> unreachable) {
    public DrainChange {
        weights = List.copyOf(weights);
        unreachable = unreachable == null ? List.of() : List.copyOf(unreachable);
    }

    public DrainChange(List<WeightChange> weights) {
        this(weights, List.of());
    }

    public boolean changed() {
        return weights.stream().anyMatch(WeightChange::changed);
    }
}
