package dev.baton.runbooks;

import dev.baton.runbooks.check.Problem;
import dev.baton.runbooks.model.Runbook;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A runbook read and validated: either the runbook, or every problem found.
 *
 * @param source  the file, or {@code shipped:NAME}
 * @param runbook null when there are problems
 */
public record Checked(String source, Runbook runbook, List<Problem> problems) {
    public Checked {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** The runbook; throws listing every problem when it has any. */
    public Runbook orThrow() {
        if (!ok()) throw new InvalidRunbook(this);
        return runbook;
    }

    /** One problem a line. */
    public String report() {
        return problems.stream().map(Problem::message).collect(Collectors.joining("\n"));
    }

    public static final class InvalidRunbook extends IllegalArgumentException {
        InvalidRunbook(Checked checked) {
            super(checked.source() + " is not a valid runbook (" + checked.problems().size() + " problem(s)):\n" + checked.report());
        }
    }
}
