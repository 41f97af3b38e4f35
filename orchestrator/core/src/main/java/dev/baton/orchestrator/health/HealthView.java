package dev.baton.orchestrator.health;

import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's picture of every DC and shard, from the latest report of every agent and the
 * latest observation of every coordinator.
 * Pure state: no network, no threads, the caller gives the time. Thread-safe.
 * <p>
 * Call {@link #evaluate} from one periodic timer (say every second) and serve {@link #latest()}
 * to readers: hysteresis counts evaluations, so extra ones from API reads would shorten it.
 */
public final class HealthView {
    private final Topology topology;
    private final HealthPolicy policy;
    private final Map<String, Received> latest = new HashMap<>();
    private final Map<String, Observed> observations = new HashMap<>();
    private final Map<String, VerdictHold> holds = new LinkedHashMap<>();
    private final CheckoutHistory checkouts = new CheckoutHistory();
    private HealthSnapshot snapshot;

    public HealthView(Topology topology, HealthPolicy policy) {
        this.topology = topology;
        this.policy = policy;
        for (Datacenter dc : topology.datacenters()) holds.put(dc.name(), new VerdictHold(dc.name(), policy));
    }

    public HealthPolicy policy() {
        return policy;
    }

    /**
     * Keeps the report if it is the agent's newest. Validation is {@link ReportIngest}'s job;
     * coordinators' own reachability probes come in through {@link #observe}.
     */
    public synchronized void record(HealthReport report, Instant receivedAt) {
        latest.merge(report.agentId(), new Received(report, receivedAt),
                (old, neu) -> neu.report().sequence() > old.report().sequence() ? neu : old);
        checkouts.record(report);
    }

    /** What the agents' checkout probes saw, report by report. */
    public CheckoutHistory checkouts() {
        return checkouts;
    }

    /** Keeps a coordinator's observation (its own or a peer's read from ZooKeeper) in place of its previous one. */
    public synchronized void observe(CoordinatorObservation observation, Instant receivedAt) {
        observations.put(observation.coordinator(), new Observed(observation, receivedAt));
    }

    /** Drops a coordinator's observation: it left (its ZooKeeper node is gone). */
    public synchronized void forget(String coordinator) {
        observations.remove(coordinator);
    }

    /** Judges every DC and shard at {@code now} and remembers the result for {@link #latest()}. */
    public synchronized HealthSnapshot evaluate(Instant now) {
        Assessment assessment = new Assessment(policy, topology.shards(), List.copyOf(latest.values()), List.copyOf(observations.values()), now);
        List<DcHealth> dcs = holds.entrySet().stream().map(e -> e.getValue().update(assessment.dc(e.getKey()), now)).toList();
        snapshot = new HealthSnapshot(now, dcs, topology.shards().stream().map(assessment::shard).toList());
        return snapshot;
    }

    /** The last evaluation; before the first, every DC is UNKNOWN. */
    public synchronized HealthSnapshot latest() {
        if (snapshot != null) return snapshot;
        return new HealthSnapshot(Instant.EPOCH, topology.datacenters().stream()
                .map(dc -> new DcHealth(dc.name(), Verdict.UNKNOWN, List.of("not evaluated yet"), Instant.EPOCH)).toList(),
                List.of());
    }

    /** Every agent heard from, by id. */
    public synchronized List<AgentStatus> agents(Instant now) {
        return latest.values().stream().sorted(Comparator.comparing(r -> r.report().agentId()))
                .map(r -> new AgentStatus(r.report().agentId(), r.report().dc(), r.report().sequence(), r.report().sentAt(),
                        r.receivedAt(), Duration.between(r.report().sentAt(), r.receivedAt()).toMillis(),
                        !r.freshAt(now, policy.silentAfter())))
                .toList();
    }
}
