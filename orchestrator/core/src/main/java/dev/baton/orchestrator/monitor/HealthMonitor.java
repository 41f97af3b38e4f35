package dev.baton.orchestrator.monitor;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.health.AgentStatus;
import dev.baton.orchestrator.health.AgentTokens;
import dev.baton.orchestrator.health.CheckoutHistory;
import dev.baton.orchestrator.health.CoordinatorObservation;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.health.HealthSnapshot;
import dev.baton.orchestrator.health.HealthView;
import dev.baton.orchestrator.health.IngestResult;
import dev.baton.orchestrator.health.ReportIngest;
import dev.baton.orchestrator.health.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The coordinator's side of health: agents' reports in (through {@link ReportIngest}) and
 * coordinators' observations (see {@link DcWatch} and {@link ObservationBoard}), one
 * evaluation of the {@link HealthView} per second on a worker thread, an event whenever a DC's
 * verdict changes, and the health metrics.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    private static final long EVALUATE_EVERY_MS = 1000;

    private final Vertx vertx;
    private final AgentTokens tokens;
    private final HealthView view;
    private final ReportIngest ingest;
    private final EventHub events;
    private final Counter accepted;
    private final Map<IngestResult.Code, Counter> rejected = new EnumMap<>(IngestResult.Code.class);
    private final Map<String, Long> lagMs = new ConcurrentHashMap<>();
    private volatile HealthSnapshot last;
    private long timer = -1;

    public HealthMonitor(Vertx vertx, CoordinatorConfig config, HealthPolicy policy, EventHub events, MeterRegistry metrics) {
        this.vertx = vertx;
        this.tokens = new AgentTokens(config.agents());
        this.view = new HealthView(config.topology(), policy);
        this.ingest = new ReportIngest(config.topology(), tokens, view);
        this.events = events;
        this.last = view.latest();
        accepted = reports(metrics, "accepted");
        for (IngestResult.Code code : IngestResult.Code.values()) rejected.put(code, reports(metrics, code(code)));
        for (AgentAccount agent : config.agents()) {
            Gauge.builder("baton.agent.report.lag", lagMs, m -> m.getOrDefault(agent.id(), -1L))
                    .description("Receipt minus send time of the agent's last report, ms (transport plus clock skew); -1 before its first")
                    .baseUnit("milliseconds").tag("agent", agent.id()).tag("dc", agent.dc()).register(metrics);
        }
        for (String dc : config.topology().datacenterNames()) {
            Gauge.builder("baton.dc.verdict", this, m -> m.last.dc(dc).verdict().ordinal())
                    .description("The DC's health verdict: 0 healthy, 1 degraded, 2 down, 3 unknown")
                    .tag("dc", dc).register(metrics);
            for (CoordinatorPeer coordinator : config.coordinators()) {
                Gauge.builder("baton.dc.reachable", this, m -> m.reachable(dc, coordinator.id()))
                        .description("Whether the coordinator's fresh observation connects to the DC: 1 yes, 0 no, -1 none fresh")
                        .tag("dc", dc).tag("coordinator", coordinator.id()).register(metrics);
            }
        }
    }

    public HealthMonitor start() {
        timer = vertx.setPeriodic(EVALUATE_EVERY_MS, id -> vertx.executeBlocking(() -> {
            evaluate(Instant.now());
            return null;
        }).onFailure(e -> LOG.error("health evaluation failed", e)));
        return this;
    }

    /** The agent whose bearer token this is. Cheap: one SHA-256 and one hash-map lookup, however many agents. */
    public Optional<AgentAccount> authenticate(String bearerToken) {
        return tokens.authenticate(bearerToken);
    }

    /** Parses and records one report; cheap enough for the event loop (no I/O, one short lock). */
    public IngestResult ingest(String agentId, String json) {
        IngestResult result = ingest.ingestJson(agentId, json, Instant.now());
        switch (result) {
            case IngestResult.Accepted a -> accepted.increment();
            case IngestResult.Rejected r -> rejected.get(r.code()).increment();
        }
        return result;
    }

    /** The checkout probes' samples between two instants, oldest first. */
    public List<CheckoutHistory.Sample> checkouts(Instant from, Instant to) {
        return view.checkouts().between(from, to);
    }

    /** Records a coordinator's observation, this one's own or a peer's from ZooKeeper, as received now. */
    public void observed(CoordinatorObservation observation) {
        view.observe(observation, Instant.now());
    }

    /** Forgets a coordinator's observation: its ZooKeeper node went. */
    public void forget(String coordinator) {
        view.forget(coordinator);
    }

    /** Judges every DC now and publishes an event for every verdict that changed. */
    HealthSnapshot evaluate(Instant now) {
        HealthSnapshot before = last;
        HealthSnapshot after = view.evaluate(now);
        last = after;
        for (AgentStatus agent : view.agents(now)) lagMs.put(agent.agentId(), agent.lagMs());
        Map<String, Verdict> was = before.datacenters().stream().collect(Collectors.toMap(DcHealth::dc, DcHealth::verdict));
        for (DcHealth dc : after.datacenters()) {
            Verdict previous = was.get(dc.dc());
            if (previous != dc.verdict()) {
                String message = "DC " + dc.dc() + " is " + dc.verdict() + " (was " + previous + ")"
                        + (dc.reasons().isEmpty() ? "" : ": " + String.join("; ", dc.reasons()));
                events.publish("health.verdict", "", "", "", message);
            }
        }
        return after;
    }

    public HealthSnapshot snapshot() {
        return last;
    }

    public List<AgentStatus> agents() {
        return view.agents(Instant.now());
    }

    private int reachable(String dc, String coordinator) {
        return last.dc(dc).observedBy().stream().filter(e -> e.coordinator().equals(coordinator) && e.fresh()).findFirst()
                .map(e -> e.reachable() ? 1 : 0).orElse(-1);
    }

    /** The wire code of a refusal, e.g. {@code replayed}. */
    public static String code(IngestResult.Code code) {
        return code.name().toLowerCase(Locale.ROOT);
    }

    private static Counter reports(MeterRegistry metrics, String outcome) {
        return Counter.builder("baton.agent.reports").description("Agent reports by outcome: accepted or the refusal's code")
                .tag("outcome", outcome).register(metrics);
    }

    @Override
    public void close() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }
}
