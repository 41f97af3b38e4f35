package dev.baton.orchestrator.runbook;

import java.util.List;

/** A runbook that cannot run for this request: unknown, invalid or not plannable; names every problem. */
public final class RunbookRefused extends IllegalArgumentException {
    private final List<String> problems;

    public RunbookRefused(String message, List<String> problems) {
        super(message + (problems.isEmpty() ? "" : ":\n" + String.join("\n", problems)));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
