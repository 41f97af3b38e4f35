package dev.baton.orchestrator.runbook;

import dev.baton.runbooks.Checked;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.check.Problem;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanRefused;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.Planner;
import dev.baton.wire.Topology;

import java.util.List;
import java.util.Map;

/**
 * A shipped runbook planned against the live topology: what a coordinator runs. Only shipped names are
 * accepted: a request over the API must not make the coordinator read files of its host.
 */
public final class RunbookPlans {
    private RunbookPlans() {
    }

    /**
     * @param primaryDcs where each shard's primary is now, as the servers said
     * @throws RunbookRefused unknown name, validation problems or planning problems, every one listed
     */
    public static Plan plan(String runbook, Topology topology, Map<String, String> primaryDcs, PlanRequest request) {
        if (!Runbooks.SHIPPED.contains(runbook)) {
            throw new RunbookRefused("no shipped runbook named '" + runbook + "'; shipped: " + String.join(", ", Runbooks.SHIPPED),
                    List.of());
        }
        return plan(runbook, Runbooks.shipped(runbook), topology, primaryDcs, request);
    }

    /**
     * A checked runbook planned, whatever its source.
     *
     * @param runbook its name, for the errors
     * @throws RunbookRefused validation problems or planning problems, every one listed
     */
    public static Plan plan(String runbook, Checked checked, Topology topology, Map<String, String> primaryDcs, PlanRequest request) {
        if (!checked.ok()) {
            throw new RunbookRefused("runbook " + runbook + " is not valid", checked.problems().stream().map(Problem::message).toList());
        }
        return plan(checked.runbook(), topology, primaryDcs, request);
    }

    /**
     * A runbook already validated, planned the same way; for tests, which write their own runbooks.
     *
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
