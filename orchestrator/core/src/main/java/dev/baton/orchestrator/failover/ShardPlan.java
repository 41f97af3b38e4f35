package dev.baton.orchestrator.failover;

import java.util.List;

/**
 * What a failover does to one shard.
 *
 * @param fence     the live primary, made read-only
 * @param candidate the server promoted in the target DC
 * @param problems  why the candidate cannot take over now (empty when it can); a real failover
 *                  with any problem is refused, a dry run shows them
 */
public record ShardPlan(String shard, ServerRef fence, ServerRef candidate, List<FrontendFlip> frontends,
                        List<String> problems) {
    public ShardPlan {
        frontends = List.copyOf(frontends);
        problems = List.copyOf(problems);
    }
}
