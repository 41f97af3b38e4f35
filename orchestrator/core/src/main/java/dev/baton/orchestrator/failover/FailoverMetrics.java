package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.switchover.StepTiming;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/** The failover figures Prometheus scrapes: failovers by outcome and duration, step durations, write pauses. */
final class FailoverMetrics {
    private final MeterRegistry registry;

    FailoverMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void failoverFinished(Failover failover) {
        Timer.builder("baton.failover.duration").description("Whole failover, from accepted to finished")
                .tag("outcome", failover.state().name().toLowerCase())
                .register(registry)
                .record(Duration.between(failover.created(), failover.finished()));
    }

    void shardFinished(SwitchoverResult result) {
        for (StepTiming step : result.steps()) {
            Timer.builder("baton.failover.step.duration").description("One step of one shard's switchover")
                    .tag("step", step.name())
                    .register(registry)
                    .record(Duration.ofNanos((long) (step.durationMs() * 1_000_000)));
        }
        DistributionSummary.builder("baton.shard.write.pause").baseUnit("milliseconds")
                .description("Per shard, how long writes were held or refused")
                .tag("outcome", result.outcome().name().toLowerCase())
                .register(registry)
                .record(result.writePauseMs());
    }
}
