package dev.baton.runbooks.check;

import dev.baton.runbooks.model.OnFailure;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Step;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The checks across steps that a well-formed document can still fail: ids, undo references, and the
 * point of no return. Run on a parsed runbook; every problem is collected, each at its line.
 *
 * <p>Undo references go one way only, from a forward step to a rollback step, and rollback steps
 * have no undo of their own: so no reference chain, hence no cycle, can be written.
 */
public final class RunbookValidator {
    private RunbookValidator() {
    }

    public static List<Problem> validate(Runbook runbook, SourceMap where) {
        List<Problem> problems = new ArrayList<>();
        List<Step> steps = runbook.steps();
        List<Step> rollback = runbook.rollback();

        Map<String, String> firstPath = new HashMap<>();
        checkIds(steps, "steps", firstPath, where, problems);
        checkIds(rollback, "rollback", firstPath, where, problems);

        int ponr = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (!steps.get(i).control().pointOfNoReturn()) continue;
            if (ponr < 0) ponr = i;
            else problems.add(where.problem("steps[" + i + "].pointOfNoReturn", "a second point of no return (the first is steps["
                    + ponr + "] " + steps.get(ponr).id() + ")", "at most one step marked pointOfNoReturn"));
        }

        Set<String> rollbackIds = new HashSet<>();
        rollback.forEach(s -> rollbackIds.add(s.id()));
        Set<String> reachable = new HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String path = "steps[" + i + "]";
            boolean afterPonr = ponr >= 0 && i > ponr;
            if (afterPonr && step.control().onFailure() == OnFailure.ROLLBACK) {
                problems.add(where.problem(path + ".onFailure", "onFailure: rollback after the point of no return (steps[" + ponr + "] "
                        + steps.get(ponr).id() + ")", "stop or continue: past it a failure rolls forward"));
            }
            if (step instanceof Step.DrainDns dns && dns.action() == Step.DnsAction.RESTORE) {
                problems.add(where.problem(path + ".action", "action: restore in a forward step", "point (the default); restore "
                        + "only as a rollback step, which puts back the address the step it undoes found"));
            }
            if (step instanceof Step.DrainLb lb && lb.action() == Step.LbAction.RESTORE) {
                problems.add(where.problem(path + ".action", "action: restore in a forward step", "drain or undrain; restore "
                        + "puts back what the undone step recorded, so it belongs in rollback"));
            }
            if (step instanceof Step.Consul c && c.operation() instanceof Step.ConsulOperation.Restore) {
                problems.add(where.problem(path + ".action", "action: restore in a forward step", "kv or catalog; restore "
                        + "puts back what the undone step recorded, so it belongs in rollback"));
            }
            String undo = step.control().undo();
            if (undo == null) continue;
            if (!rollbackIds.contains(undo)) {
                boolean forward = steps.stream().anyMatch(s -> s.id().equals(undo));
                problems.add(where.problem(path + ".undo", forward ? "'" + undo + "', a forward step" : "unknown step '" + undo + "'",
                        "the id of a step under rollback" + (rollbackIds.isEmpty() ? " (there are none)" : ": " + rollbackIds.stream().sorted().toList())));
            } else if (afterPonr) {
                problems.add(where.problem(path + ".undo", "an undo on a step after the point of no return (steps[" + ponr + "] "
                        + steps.get(ponr).id() + "): it can never run", "no undo past the point of no return"));
            } else if (!rollsBack(steps, i, ponr)) {
                problems.add(where.problem(path + ".undo", "an undo that can never run: neither this step nor any later one up to "
                        + (ponr < 0 ? "the end" : "the point of no return") + " has onFailure: rollback",
                        "onFailure: rollback on this or a later step, or no undo"));
            } else {
                reachable.add(undo);
                restoreMismatch(step, rollback.stream().filter(r -> r.id().equals(undo)).findFirst().orElseThrow())
                        .ifPresent(why -> problems.add(where.problem(path + ".undo", why, "a restore step of the same kind as this one")));
            }
        }

        for (int i = 0; i < rollback.size(); i++) {
            Step step = rollback.get(i);
            String path = "rollback[" + i + "]";
            if (step.control().undo() != null) {
                problems.add(where.problem(path + ".undo", "an undo on a rollback step", "none: a rollback step is not undone in turn "
                        + "(which also keeps undo references free of cycles)"));
            }
            if (step.control().onFailure() == OnFailure.ROLLBACK) {
                problems.add(where.problem(path + ".onFailure", "onFailure: rollback on a rollback step", "stop or continue"));
            }
            if (step.control().pointOfNoReturn()) {
                problems.add(where.problem(path + ".pointOfNoReturn", "a point of no return under rollback", "it on a forward step only"));
            }
            if (!reachable.contains(step.id()) && steps.stream().noneMatch(s -> step.id().equals(s.control().undo()))) {
                problems.add(where.problem(path, "rollback step '" + step.id() + "' that no step names as its undo (unreachable)",
                        "every rollback step to be the undo of a step before the point of no return"));
            }
        }
        return problems;
    }

    /**
     * A restore puts back what the step it undoes recorded, so it can only undo a step of its own kind;
     * and a consul step is undone only by a restore, since nothing else knows what the key or tags held.
     */
    private static Optional<String> restoreMismatch(Step step, Step undo) {
        boolean restoresLb = undo instanceof Step.DrainLb lb && lb.action() == Step.LbAction.RESTORE;
        boolean restoresConsul = undo instanceof Step.Consul c && c.operation() instanceof Step.ConsulOperation.Restore;
        boolean restoresDns = undo instanceof Step.DrainDns d && d.action() == Step.DnsAction.RESTORE;
        if (restoresLb && !(step instanceof Step.DrainLb) || restoresConsul && !(step instanceof Step.Consul)
                || restoresDns && !(step instanceof Step.DrainDns)) {
            return Optional.of("'" + undo.id() + "', a " + undo.kind() + " restore, as the undo of a " + step.kind() + " step");
        }
        if (step instanceof Step.Consul && !restoresConsul) {
            return Optional.of("'" + undo.id() + "', a " + undo.kind() + (undo instanceof Step.Consul ? " write" : "")
                    + " step, as the undo of a consul step, which only a consul step with action: restore undoes");
        }
        return Optional.empty();
    }

    /** Whether a failure at step {@code i} or later, up to the point of no return, would roll back. */
    private static boolean rollsBack(List<Step> steps, int i, int ponr) {
        int last = ponr < 0 ? steps.size() - 1 : ponr;
        for (int j = i; j <= last; j++) {
            if (steps.get(j).control().onFailure() == OnFailure.ROLLBACK) return true;
        }
        return false;
    }

    private static void checkIds(List<Step> steps, String section, Map<String, String> firstPath, SourceMap where,
                                 List<Problem> problems) {
        for (int i = 0; i < steps.size(); i++) {
            String path = section + "[" + i + "]";
            String first = firstPath.putIfAbsent(steps.get(i).id(), path);
            if (first != null) {
                problems.add(where.problem(path + ".id", "'" + steps.get(i).id() + "' again (first at " + first + ", line "
                        + where.at(first).line() + ")", "a step id used once in the runbook"));
            }
        }
    }
}
