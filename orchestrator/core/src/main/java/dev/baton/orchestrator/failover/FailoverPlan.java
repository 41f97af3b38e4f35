package dev.baton.orchestrator.failover;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every shard whose primary is in {@code from}, and how it moves to {@code to}; and how edge
 * traffic moves with it.
 *
 * @param problems shard-independent problems, e.g. a shard whose servers could not be asked
 */
public record FailoverPlan(String from, String to, TrafficPlan traffic, List<ShardPlan> shards, List<String> problems) {
    public FailoverPlan {
        shards = List.copyOf(shards);
        problems = List.copyOf(problems);
    }

    /** What refuses a failover: the shards' problems. Traffic problems do not (see {@link TrafficPlan}). */
    public List<String> allProblems() {
        return Stream.concat(problems.stream(), shards.stream().flatMap(s -> s.problems().stream().map(p -> s.shard() + ": " + p)))
                .toList();
    }

    /**
     * Whether the plan is refused only because candidates are still catching up (each shard with a problem
     * is {@link ShardPlan#catchingUp}, and nothing else is wrong): asking again in a few seconds may succeed.
     */
    public boolean onlyCatchingUp() {
        return problems.isEmpty() && shards.stream().anyMatch(ShardPlan::catchingUp)
                && shards.stream().allMatch(s -> s.problems().isEmpty() || s.catchingUp());
    }
}
