package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;

import java.util.List;

/**
 * What a failover does to edge traffic: the checkout record it points at the target DC and the
 * checkout weights it sets in every DC's HAProxy, each with its value now and after.
 *
 * @param dns      null when the DNS API could not be read (see {@code problems})
 * @param lb       what the runbook's load-balancer step does (drain or undrain); null when it has none
 * @param weights  null when an HAProxy could not be read (see {@code problems})
 * @param problems why part of the preview is missing; they do not refuse a failover, whose DNS or LB
 *                 step meets the same problem and rolls back
 */
public record TrafficPlan(DnsChange dns, LbAction lb, DrainChange weights, List<String> problems) {

    public enum LbAction {
        /** The source's app to weight 0 everywhere, the target's up where the source served. */
        DRAIN,
        /** Every DC's HAProxy back to its own app alone: traffic returns home. */
        UNDRAIN
    }

    public TrafficPlan {
        problems = List.copyOf(problems);
    }
}
