package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.Verification;

import java.util.List;

/**
 * What a failover did to edge traffic, as it went: each part null until its step ran.
 *
 * @param dns           the checkout record's flip (after a rollback: the flip back)
 * @param weights       the checkout weights set in every DC's HAProxy (after a rollback: restored)
 * @param verifications the synthetic checkouts against the target DC, one per shard
 */
public record TrafficOutcome(DnsChange dns, DrainChange weights, List<Verification> verifications) {
    static final TrafficOutcome NONE = new TrafficOutcome(null, null, null);

    TrafficOutcome withDns(DnsChange dns) {
        return new TrafficOutcome(dns, weights, verifications);
    }

    TrafficOutcome withWeights(DrainChange weights) {
        return new TrafficOutcome(dns, weights, verifications);
    }

    TrafficOutcome withVerifications(List<Verification> verifications) {
        return new TrafficOutcome(dns, weights, List.copyOf(verifications));
    }
}
