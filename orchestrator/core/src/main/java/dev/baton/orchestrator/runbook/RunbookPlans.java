package dev.baton.orchestrator.runbook;

import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanRefused;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.Planner;
import dev.baton.wire.Topology;

import java.util.Map;

/** A runbook of the catalog planned against the live topology: what a coordinator runs. */
public final class RunbookPlans {
    private RunbookPlans() {
    }

    /**
     * @param runbook    validated (a {@link RunbookCatalog} holds no other)
     * @param primaryDcs where each shard's primary is now, as the servers said
     * @throws RunbookRefused planning problems, every one listed
     */
    public static Plan plan(Runbook runbook, Topology topology, Map<String, String> primaryDcs, PlanRequest request) {
        try {
            return new Planner(TopologyViews.of(topology, primaryDcs)).plan(runbook, request);
        } catch (PlanRefused e) {
            throw new RunbookRefused("cannot plan runbook " + runbook.name() + " from " + request.from() + " to " + request.to(),
                    e.problems());
        }
    }
}
