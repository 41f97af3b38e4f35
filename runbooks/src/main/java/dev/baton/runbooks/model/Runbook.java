package dev.baton.runbooks.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A failover as data: what runs, in order, and what undoes it. Strings may hold variables
 * ({@code ${from}}, {@code ${to}}, {@code ${reason}}, a declared parameter, and {@code ${shards}} in shard
 * lists); the planner resolves them against a request and a topology.
 *
 * @param parameters extra variables with their default values; a request may override them
 * @param steps      the forward path, run in this order
 * @param rollback   undo steps, each run only as the {@link StepControl#undo() undo} of a forward step
 */
public record Runbook(String name, String description, Scope scope, Map<String, String> parameters, List<Step> steps,
                      List<Step> rollback) {
    public Runbook {
        parameters = Map.copyOf(parameters);
        steps = List.copyOf(steps);
        rollback = List.copyOf(rollback);
    }

    /** The variables every runbook may use without declaring them. */
    public static final List<String> BUILT_IN_VARIABLES = List.of("from", "to", "shards", "reason");

    public Optional<Step> step(String id) {
        return Stream.concat(steps.stream(), rollback.stream()).filter(s -> s.id().equals(id)).findFirst();
    }

    /** The index of the first step marked as the point of no return, or -1. */
    public int pointOfNoReturn() {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).control().pointOfNoReturn()) return i;
        }
        return -1;
    }
}
