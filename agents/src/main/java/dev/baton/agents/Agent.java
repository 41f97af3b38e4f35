package dev.baton.agents;

import dev.baton.agents.probe.Prober;
import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.Probe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One DC's agent: every interval it runs all its probes at once and hands the report to its sink.
 * A round never takes longer than the interval: a probe still running then is reported as failed.
 * The agent owns its probers and closes them.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final String agentId;
    private final String dc;
    private final List<Prober> probers;
    private final ReportSink sink;
    private final Duration interval;
    /**
     * Starts at the wall clock in milliseconds so that a restarted agent still counts upwards
     * (it sends one report per interval, far fewer than one per millisecond).
     */
    private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis());
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-ticker").daemon().factory());

    public Agent(String agentId, String dc, List<Prober> probers, ReportSink sink, Duration interval) {
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("agent interval must be positive: " + interval);
        this.agentId = agentId;
        this.dc = dc;
        this.probers = List.copyOf(probers);
        this.sink = sink;
        this.interval = interval;
    }

    /** Runs a round now and then every interval (a slow round delays the next, it never overlaps it). */
    public Agent start() {
        ticker.scheduleWithFixedDelay(this::roundAndSubmit, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One round of every probe in parallel, bounded by the interval. */
    public HealthReport runOnce() {
        List<Future<Probe>> running = probers.stream().map(p -> probes.submit(p::run)).toList();
        long deadline = System.nanoTime() + interval.toNanos();
        List<Probe> results = new ArrayList<>(probers.size());
        for (int i = 0; i < probers.size(); i++) {
            results.add(await(probers.get(i), running.get(i), deadline));
        }
        return new HealthReport(agentId, dc, sequence.incrementAndGet(), Instant.now(), results);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        probes.shutdownNow();
        for (Prober prober : probers) {
            if (prober instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("agent {}: closing {} failed", agentId, prober, e);
                }
            }
        }
    }

    private void roundAndSubmit() {
        try {
            sink.submit(runOnce());
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; one bad round must not end the agent.
            LOG.error("agent {} in {}: round failed", agentId, dc, e);
        }
    }

    private static Probe await(Prober prober, Future<Probe> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return prober.failed("no result within the agent's round");
        } catch (ExecutionException e) {
            return prober.failed("probe broke: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return prober.failed("agent stopping");
        }
    }
}
