package dev.baton.runbooks.plan;

import java.util.List;

/** A runbook that cannot be planned for this request and topology; names every reason found. */
public final class PlanRefused extends IllegalArgumentException {
    private final List<String> problems;

    PlanRefused(String runbook, List<String> problems) {
        super("cannot plan runbook " + runbook + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
