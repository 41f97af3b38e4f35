package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Topology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One coordinator's failover side for the lab tests of this package, built as the Coordinator builds
 * it, with its ZooKeeper session at hand to expire and every event it published.
 */
record FailoverNode(ZooKeeperSession session, Leadership leadership, FailoverService failovers, List<String> events)
        implements AutoCloseable {

    /** @param afterStep told each failover step that ended DONE: holding it holds the failover between steps */
    static FailoverNode start(CoordinatorConfig config, String id, SwitchoverOptions options, Supplier<HealthSnapshot> health,
                              Consumer<String> afterStep) {
        return start(config, RunbookCatalog.shipped(), id, options, health, afterStep);
    }

    /** @param runbooks what requests may name: the shipped runbooks and a test's own */
    static FailoverNode start(CoordinatorConfig config, RunbookCatalog runbooks, String id, SwitchoverOptions options,
                              Supplier<HealthSnapshot> health, Consumer<String> afterStep) {
        ZooKeeperSession session = new ZooKeeperSession(config.zookeeper()).start(10_000);
        Leadership leadership = new Leadership(session, id).start();
        EventHub hub = new EventHub();
        // Tests stream over it while the failover's thread still publishes: a synchronized list's stream is not (a flake seen in ApprovalLabTest).
        List<String> seen = new CopyOnWriteArrayList<>();
        hub.subscribe(e -> seen.add(e.type() + " " + e.message()));
        FailoverService failovers = new FailoverService(config, runbooks, id, leadership, new FailoverLock(session), new FailoverStore(session),
                hub, new SimpleMeterRegistry(), options, health, afterStep);
        return new FailoverNode(session, leadership, failovers, seen);
    }

    /** Every DC of {@code topology} HEALTHY, as of now. */
    static HealthSnapshot allHealthy(Topology topology) {
        return new HealthSnapshot(Instant.now(), topology.datacenterNames().stream()
                .map(dc -> new DcHealth(dc, Verdict.HEALTHY, List.of(), Instant.EPOCH)).toList(), List.of());
    }

    @Override
    public void close() {
        try {
            leadership.close();
        } finally {
            session.close();
        }
    }
}
