package dev.baton.orchestrator.failover;

import java.util.List;

/**
 * What a failover does to one shard.
 *
 * @param fence     the live primary, made read-only
 * @param candidate the server promoted in the target DC
 * @param problems   why the candidate cannot take over now (empty when it can); a real failover
 *                   with any problem is refused, a dry run shows them
 * @param catchingUp every one of {@code problems} is the candidate only catching up (see
 *                   {@link dev.baton.orchestrator.mysql.CandidateProblem}): it clears by itself in seconds
 */
public record ShardPlan(String shard, ServerRef fence, ServerRef candidate, List<FrontendFlip> frontends,
                        List<String> problems, boolean catchingUp) {
    public ShardPlan {
        frontends = List.copyOf(frontends);
        problems = List.copyOf(problems);
        catchingUp = catchingUp && !problems.isEmpty();
    }

    /** A shard whose problems do not clear by themselves (or that has none). */
    public ShardPlan(String shard, ServerRef fence, ServerRef candidate, List<FrontendFlip> frontends, List<String> problems) {
        this(shard, fence, candidate, frontends, problems, false);
    }
}
