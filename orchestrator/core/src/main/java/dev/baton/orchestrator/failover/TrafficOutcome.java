package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.Verification;

import java.util.List;

/**
 * What a failover did to edge traffic, as it went: each part null until its step ran. A rollback
 * leaves it as it is (the timeline lists what it put back), so that undoing it again is harmless.
 *
 * @param dns           the checkout record's flip, recorded before it is made
 * @param weights       the checkout weights set in every DC's HAProxy, recorded before they are set
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
