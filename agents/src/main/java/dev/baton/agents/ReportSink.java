package dev.baton.agents;

import dev.baton.wire.health.HealthReport;

/** Where an agent hands each round's report. Must return at once: delivery is the sink's business. */
@FunctionalInterface
public interface ReportSink {
    void submit(HealthReport report);
}
