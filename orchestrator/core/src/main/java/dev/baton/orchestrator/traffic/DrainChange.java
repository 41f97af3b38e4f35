package dev.baton.orchestrator.traffic;

import java.util.List;

/** Every checkout server weight a drain or undrain looked at, in every DC's HAProxy, before and after. */
public record DrainChange(List<WeightChange> weights) {
    public DrainChange {
        weights = List.copyOf(weights);
    }

    public boolean changed() {
        return weights.stream().anyMatch(WeightChange::changed);
    }
}
