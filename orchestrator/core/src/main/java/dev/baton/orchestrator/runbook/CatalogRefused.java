package dev.baton.orchestrator.runbook;

import dev.baton.orchestrator.config.ConfigException;

import java.util.List;

/** A site's runbooks that cannot all be used, so the coordinator does not start; names every problem of every file. */
public final class CatalogRefused extends ConfigException {
    private final List<String> problems;

    /** @param problems one a line, each {@code file:line:column: ...} */
    public CatalogRefused(String where, List<String> problems) {
        super("the runbooks of " + where + " cannot be used (" + problems.size() + " problem(s)):\n" + String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
