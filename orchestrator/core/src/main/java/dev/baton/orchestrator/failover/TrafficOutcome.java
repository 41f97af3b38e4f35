package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ConsulChange;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.Verification;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a failover did to edge traffic, as it went: each part null (or empty) until its step ran. Each
 * changing step's record is kept under its step id, written before the change so that a rollback knows
 * of a change that failed half-way, and each is undone from its own record. A rollback leaves them as
 * they are (the timeline lists what it put back), so that undoing them again is harmless.
 *
 * @param dns           the latest drain-dns step's flip of the checkout record
 * @param weights       the latest drain-lb step's checkout weights in every DC's HAProxy
 * @param verifications the synthetic checkouts against the target DC, one per shard
 * @param dnsSteps      every drain-dns step's flip, by step id, in the order they ran
 * @param weightSteps   every drain-lb step's weights, by step id, in the order they ran
 * @param consulSteps   every consul step's KV write and catalog tags, by step id, in the order they ran
 */
public record TrafficOutcome(DnsChange dns, DrainChange weights, List<Verification> verifications, Map<String, DnsChange> dnsSteps,
                             Map<String, DrainChange> weightSteps, Map<String, ConsulChange> consulSteps) {
    static final TrafficOutcome NONE = new TrafficOutcome(null, null, null, Map.of(), Map.of(), Map.of());

    public TrafficOutcome {
        // Failovers persisted before the per-step records existed have none.
        dnsSteps = ordered(dnsSteps);
        weightSteps = ordered(weightSteps);
        consulSteps = ordered(consulSteps);
    }

    TrafficOutcome withDns(String step, DnsChange dns) {
        return new TrafficOutcome(dns, weights, verifications, with(dnsSteps, step, dns), weightSteps, consulSteps);
    }

    TrafficOutcome withWeights(String step, DrainChange weights) {
        return new TrafficOutcome(dns, weights, verifications, dnsSteps, with(weightSteps, step, weights), consulSteps);
    }

    TrafficOutcome withConsul(String step, ConsulChange consul) {
        return new TrafficOutcome(dns, weights, verifications, dnsSteps, weightSteps, with(consulSteps, step, consul));
    }

    TrafficOutcome withVerifications(List<Verification> verifications) {
        return new TrafficOutcome(dns, weights, List.copyOf(verifications), dnsSteps, weightSteps, consulSteps);
    }

    private static <T> Map<String, T> ordered(Map<String, T> byStep) {
        return byStep == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(byStep));
    }

    /** A step recorded again (its change after its intent, or a retry) keeps its place. */
    private static <T> Map<String, T> with(Map<String, T> byStep, String step, T change) {
        Map<String, T> next = new LinkedHashMap<>(byStep);
        next.put(step, change);
        return next;
    }
}
