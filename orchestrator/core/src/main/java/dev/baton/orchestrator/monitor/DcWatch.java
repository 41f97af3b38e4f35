package dev.baton.orchestrator.monitor;

import dev.baton.orchestrator.health.CoordinatorObservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a {@link DcProber} round every {@code interval} on its own thread (never on Vert.x's event
 * loop or worker pool: a round blocks up to its connect timeout) and hands each observation on.
 * Rounds never overlap: the next starts {@code interval} after the previous ended.
 */
public final class DcWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DcWatch.class);

    private final DcProber prober;
    private final Consumer<CoordinatorObservation> observed;
    private final Duration interval;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("dc-watch").daemon().factory());

    public DcWatch(DcProber prober, Duration interval, Consumer<CoordinatorObservation> observed) {
        this.prober = prober;
        this.interval = interval;
        this.observed = observed;
    }

    public DcWatch start() {
        thread.scheduleWithFixedDelay(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void round() {
        // An escaping exception would cancel every later round: this coordinator would go blind.
        try {
            observed.accept(prober.probe());
        } catch (RuntimeException e) {
            LOG.error("a round of reachability probes failed", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
