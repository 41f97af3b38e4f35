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

    /**
     * This change as seen from before {@code first}, an earlier attempt of the same step that may have
     * moved some weights already: the weights that attempt found are kept as the befores.
     */
    public DrainChange since(DrainChange first) {
        return new DrainChange(weights.stream().map(w -> first.weights().stream()
                .filter(f -> f.haproxy().equals(w.haproxy()) && f.backend().equals(w.backend()) && f.server().equals(w.server()))
                .findFirst().map(f -> new WeightChange(w.haproxy(), w.backend(), w.server(), f.before(), w.after())).orElse(w))
                .toList(), unreachable);
    }
}
