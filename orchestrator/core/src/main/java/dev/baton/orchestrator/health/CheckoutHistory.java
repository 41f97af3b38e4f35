package dev.baton.orchestrator.health;

import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.Probe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agents' checkout probes saw, kept for the console's failover reports: a ring of the
 * last {@link #CAPACITY} samples (at an agent's report a second, hours of a small fleet).
 */
public final class CheckoutHistory {
    /** One checkout probe of one report. */
    public record Sample(Instant at, String dc, String agent, boolean ok, long latencyMs, String error) {}

    public static final int CAPACITY = 50_000;

    private final Sample[] ring = new Sample[CAPACITY];
    private int next;
    private long count;

    public synchronized void record(HealthReport report) {
        for (Probe probe : report.probes()) {
            if (probe instanceof HttpProbe http) {
                ring[next] = new Sample(report.sentAt(), report.dc(), report.agentId(), http.healthy(), http.latencyMs(),
                        http.error() == null ? (http.healthy() ? "" : "HTTP " + http.status()) : http.error());
                next = (next + 1) % CAPACITY;
                count++;
            }
        }
    }

    /** The samples taken in [from, to], oldest first. */
    public synchronized List<Sample> between(Instant from, Instant to) {
        List<Sample> out = new ArrayList<>();
        int n = (int) Math.min(count, CAPACITY);
        for (int i = 0; i < n; i++) {
            Sample s = ring[Math.floorMod(next - n + i, CAPACITY)];
            if (!s.at().isBefore(from) && !s.at().isAfter(to)) out.add(s);
        }
        return out;
    }
}
