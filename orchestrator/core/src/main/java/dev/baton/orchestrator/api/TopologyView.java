package dev.baton.orchestrator.api;

import dev.baton.wire.Topology;

/**
 * What {@code GET /topology} answers: the configured world and who leads.
 *
 * @param leader empty while no coordinator leads
 */
public record TopologyView(String coordinator, String leader, Topology topology) {
}
