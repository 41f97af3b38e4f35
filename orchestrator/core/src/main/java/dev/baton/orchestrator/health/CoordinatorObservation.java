package dev.baton.orchestrator.health;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one coordinator saw of every DC in one round of TCP connects, published in ZooKeeper so
 * that every coordinator judges a DC with every coordinator's eyes, not only the agents'.
 *
 * @param coordinator the observer's id
 * @param dc          where the observer runs: what it sees of its own DC is no evidence that others can reach it
 * @param at          when the round started, on the observer's clock (shown; ages are judged on the reader's clock)
 */
public record CoordinatorObservation(String coordinator, String dc, Instant at, List<DcReach> reach) {
    public CoordinatorObservation {
        reach = List.copyOf(reach);
    }

    public Optional<DcReach> of(String targetDc) {
        return reach.stream().filter(r -> r.dc().equals(targetDc)).findFirst();
    }
}
