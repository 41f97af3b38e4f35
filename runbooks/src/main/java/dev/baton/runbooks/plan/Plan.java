package dev.baton.runbooks.plan;

import java.util.List;
import java.util.Optional;

/**
 * A runbook resolved against one request and one topology: every step with what it will touch, in
 * order. The engine runs plans, never raw YAML, so what was reviewed is what runs.
 *
 * @param shards   what {@code ${shards}} resolved to
 * @param rollback the undo steps, resolved likewise; a step's {@code undo} names one of them
 */
public record Plan(String runbook, PlanRequest request, List<String> shards, List<PlannedStep> steps,
                   List<PlannedStep> rollback) {
    public Plan {
        shards = List.copyOf(shards);
        steps = List.copyOf(steps);
        rollback = List.copyOf(rollback);
    }

    public Optional<PlannedStep> undoOf(PlannedStep step) {
        return step.undo() == null ? Optional.empty() : rollback.stream().filter(r -> r.id().equals(step.undo())).findFirst();
    }
}
