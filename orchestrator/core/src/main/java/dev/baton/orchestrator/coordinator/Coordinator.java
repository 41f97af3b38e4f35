package dev.baton.orchestrator.coordinator;

import dev.baton.orchestrator.api.ApiServer;
import dev.baton.orchestrator.api.AuditEntry;
import dev.baton.orchestrator.api.AuditLog;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.failover.FailoverService;
import dev.baton.orchestrator.failover.FailoverStore;
import dev.baton.orchestrator.health.HealthPolicy;
import dev.baton.orchestrator.leader.FailoverLock;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import dev.baton.orchestrator.monitor.DcProber;
import dev.baton.orchestrator.monitor.DcWatch;
import dev.baton.orchestrator.monitor.HealthMonitor;
import dev.baton.orchestrator.monitor.ObservationBoard;
import dev.baton.orchestrator.runbook.CatalogRefused;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.WarmUp;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One coordinator: its ZooKeeper session, its place in the leader election, the failover
 * service and the HTTP API, started in that order and closed in reverse.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    private static final Logger EVENTS = LoggerFactory.getLogger("dev.baton.orchestrator.events");
    private static final long ZOOKEEPER_CONNECT_TIMEOUT_MS = 10_000;
    private static final Duration RUNNING_FAILOVER_GRACE = Duration.ofSeconds(30);
    /** Agents report every second; a coordinator looks as often, each connect bounded well below that. */
    private static final Duration OBSERVE_EVERY = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    private final CoordinatorPeer self;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final Leadership leadership;
    private final FailoverService failovers;
    private final HealthMonitor health;
    private final EventHub events = new EventHub();
    private final ApiServer api;

    private Coordinator(CoordinatorConfig config, CoordinatorPeer self, SwitchoverOptions options, HealthPolicy policy,
                        RunbookCatalog runbooks) {
        this.self = self;
        try {
            // Every event is also a log line; its fields as key-value pairs, so JSON logs keep them apart.
            started.add(events.subscribe(e -> EVENTS.atInfo().addKeyValue("event", e.type()).addKeyValue("seq", e.seq())
                    .addKeyValue("failoverId", e.failoverId()).addKeyValue("shard", e.shard()).addKeyValue("step", e.step())
                    .log(e.message())));
            Vertx vertx = Vertx.vertx();
            started.add(() -> vertx.close().await());
            ZooKeeperSession session = new ZooKeeperSession(config.zookeeper()).start(ZOOKEEPER_CONNECT_TIMEOUT_MS);
            started.add(session);
            leadership = new Leadership(session, self.id());
            leadership.onChange(leader -> events.publish("leadership", "", "", "", "coordinator " + self.id()
                    + (leader ? " leads" : " does not lead")));
            leadership.start();
            started.add(leadership);
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Gauge.builder("baton.coordinator.leader", () -> leadership.isLeader() ? 1 : 0)
                    .description("1 while this coordinator leads").register(metrics);
            health = new HealthMonitor(vertx, config, policy, events, metrics).start();
            started.add(health);
            ObservationBoard board = new ObservationBoard(session, self.id(), health::observed, health::forget).start();
            started.add(board);
            started.add(new DcWatch(new DcProber(config.topology(), self.id(), self.dc(), CONNECT_TIMEOUT), OBSERVE_EVERY,
                    observation -> {
                        health.observed(observation);
                        board.publish(observation);
                    }).start());
            failovers = new FailoverService(config, runbooks, self.id(), leadership, new FailoverLock(session), new FailoverStore(session),
                    events, metrics, options, health::snapshot);
            // Closed in reverse: a running failover finishes (bounded) before its ZooKeeper session goes.
            started.add(() -> {
                if (!failovers.awaitIdle(RUNNING_FAILOVER_GRACE)) {
                    LOG.error("coordinator {} closes while a failover still runs; the next leader finds it in ZooKeeper", self.id());
                }
            });
            AuditLog audit = new AuditLog(config.auditLog());
            // A takeover changes servers on no one's request: the coordinator itself is the one who acted.
            started.add(events.subscribe(e -> {
                if (e.type().startsWith("failover.takeover")) {
                    audit.append(new AuditEntry(e.at(), "coordinator " + self.id(), "TAKEOVER", "/api/v1/failovers/" + e.failoverId(),
                            0, e.type(), e.message()));
                }
            }));
            api = new ApiServer(vertx, config, leadership, failovers, events, metrics, audit, health)
                    .start(self.http());
            started.add(api);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("coordinator {} serves {}/api/v1", self.id(), self.url());
        // In the background: a takeover that comes first simply runs cold, as it did before.
        Thread.ofPlatform().daemon().name("warm-up").start(() -> {
            long started = System.nanoTime();
            int up = WarmUp.readEverything(config.topology());
            String records;
            try {
                records = failovers.warmUp() + " failover(s) RUNNING";
            } catch (RuntimeException e) {
                records = "failovers not read: " + e.getMessage(); // the takeover reads them then
            }
            LOG.info("coordinator {} warmed up for a takeover in {} ms: {} servers answered, {}", self.id(),
                    (System.nanoTime() - started) / 1_000_000, up, records);
        });
        // What a site reviewed, in the log of the coordinator that runs it.
        runbooks.entries().stream().filter(e -> e.source() == RunbookCatalog.Source.SITE).forEach(e -> LOG.info(
                "coordinator {} offers site runbook {} from {}, sha256 {}", self.id(), e.name(), e.file(), e.sha256()));
    }

    /** Starts coordinator {@code id} of the config with the default health policy; fails naming what could not start. */
    public static Coordinator start(CoordinatorConfig config, String id, SwitchoverOptions options) {
        return start(config, id, options, HealthPolicy.defaults());
    }

    /** @throws CatalogRefused a site runbook that cannot be used, or that asks for what the config lacks, before anything starts */
    public static Coordinator start(CoordinatorConfig config, String id, SwitchoverOptions options, HealthPolicy policy) {
        CoordinatorPeer self = config.coordinator(id).orElseThrow(() -> new IllegalArgumentException("config " + config.source()
                + " has no coordinator '" + id + "'; it has " + config.coordinators().stream().map(CoordinatorPeer::id).toList()));
        RunbookCatalog runbooks = RunbookCatalog.load(config.runbooks());
        List<String> unmet = runbooks.unmetBy(config.channels().keySet(), config.consul() != null);
        if (!unmet.isEmpty()) throw new CatalogRefused(String.valueOf(config.runbooks()) + " for config " + config.source(), unmet);
        return new Coordinator(config, self, options, policy, runbooks);
    }

    public String id() {
        return self.id();
    }

    public String url() {
        return self.url();
    }

    public Leadership leadership() {
        return leadership;
    }

    public FailoverService failovers() {
        return failovers;
    }

    public HealthMonitor health() {
        return health;
    }

    public EventHub events() {
        return events;
    }

    /** Stops serving, leaves the election (the next coordinator is elected at once) and ends the ZooKeeper session. */
    @Override
    public void close() {
        List<AutoCloseable> reverse = new ArrayList<>(started);
        Collections.reverse(reverse);
        started.clear();
        for (AutoCloseable c : reverse) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("coordinator {}: closing {} failed: {}", self.id(), c, e.toString());
            }
        }
    }
}
