package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.runbooks.model.Condition;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A runbook {@link Condition} judged against the live world, for a precheck (once) and a wait-until
 * (until it holds). A forced failover skips the health verdicts, as the request asked.
 */
final class Conditions {
    private Conditions() {
    }

    /**
     * One reason a condition does not hold now.
     *
     * @param catchingUp only candidates still catching up: it holds again in seconds without anyone doing anything
     */
    record Unmet(String reason, boolean catchingUp) {
        static List<String> reasons(List<Unmet> unmet) {
            return unmet.stream().map(Unmet::reason).toList();
        }
    }

    /** Why {@code condition} does not hold now, one each; empty when it holds. */
    static List<Unmet> unmet(Condition condition, Evacuation run) {
        FailoverRequest request = run.failover().request();
        List<Unmet> unmet = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        switch (condition) {
            case Condition.DcHealthy h -> {
                DcHealth dc = run.health(h.dc());
                if (dc.verdict() != Verdict.HEALTHY && !request.force()) {
                    failed.add("DC " + dc.dc() + " is " + dc.verdict()
                            + (dc.reasons().isEmpty() ? "" : ": " + String.join("; ", dc.reasons())));
                }
            }
            case Condition.DcDown d -> {
                DcHealth dc = run.health(d.dc());
                if (dc.verdict() != Verdict.DOWN) failed.add("DC " + dc.dc() + " is " + dc.verdict() + ", not DOWN");
            }
            case Condition.MaxLag m -> {
                FailoverPlan now = run.replan(m.max());
                if (!now.allProblems().isEmpty()) {
                    unmet.add(new Unmet("not ready: " + String.join("; ", now.allProblems()), now.onlyCatchingUp()));
                }
                Set<String> planned = shardNames(run.failover().plan());
                if (!shardNames(now).equals(planned)) {
                    failed.add("the shards with a primary in " + request.from() + " changed since the plan: "
                            + planned + " then, " + shardNames(now) + " now");
                }
            }
            case Condition.PrimariesIn p -> {
                List<String> shards = run.failover().runbook().shards();
                if (run.discover().heldBy(p.dc()).stream().noneMatch(shards::contains)) {
                    failed.add("DC " + p.dc() + " holds none of the primaries of " + shards);
                }
            }
            case Condition.CheckoutOk o -> run.verify(o.dc(), List.of()).stream().filter(v -> !v.ok())
                    .forEach(v -> failed.add("checkout at " + o.dc() + " failed: " + v.error()));
            case Condition.Window w -> {
                ZonedDateTime now = ZonedDateTime.now(w.zone());
                if (!w.days().contains(now.getDayOfWeek()) || now.toLocalTime().isBefore(w.from()) || !now.toLocalTime().isBefore(w.to())) {
                    failed.add("now (" + now + ") is outside the window " + w.days() + " " + w.from() + "-" + w.to() + " " + w.zone());
                }
            }
        }
        failed.forEach(reason -> unmet.add(new Unmet(reason, false)));
        return unmet;
    }

    /** The condition as a runbook writes it, for messages. */
    static String describe(Condition condition) {
        return switch (condition) {
            case Condition.DcHealthy h -> "dc-healthy " + h.dc();
            case Condition.DcDown d -> "dc-down " + d.dc();
            case Condition.MaxLag m -> "max-lag " + m.max().toMillis() + " ms";
            case Condition.PrimariesIn p -> "primaries-in " + p.dc();
            case Condition.CheckoutOk o -> "checkout-ok " + o.dc();
            case Condition.Window w -> "window " + w.days() + " " + w.from() + "-" + w.to() + " " + w.zone();
        };
    }

    private static Set<String> shardNames(FailoverPlan plan) {
        return plan.shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
    }
}
