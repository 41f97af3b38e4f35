package dev.baton.chaos.bench;

import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.WarmUp;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The lab warmed up by measurement before a bench measures anything: checkout latency back at its
 * steady level ({@link LoadGenerator#awaitSteady}), not a fixed number of seconds.
 */
public final class WarmUps {
    private WarmUps() {
    }

    /**
     * Waits out the load's ramp-up (the rate must be the measured one first), then until latency is steady,
     * at most {@code max}, sending the checkouts to every DC in turn meanwhile: a standby DC is kept warm in
     * production by synthetic traffic, while a lab's cold standby would meet its first checkout when a failover
     * sends it everything. Through DNS again afterwards, however it ended.
     */
    public static WarmUp everyDc(LoadGenerator generator, Duration rampUp, Duration max) throws InterruptedException {
        generator.everyDc(true);
        try {
            Thread.sleep(rampUp);
            return generator.awaitSteady(max);
        } finally {
            generator.everyDc(false);
        }
    }

    /** One line for a report: how long it took and whether latency became steady. */
    public static String describe(WarmUp warmUp, Duration rampUp) {
        if (warmUp == null) return "none";
        String ramp = rampUp.isZero() ? "" : String.format(Locale.ROOT, "%.1f s of ramp-up, then ", rampUp.toMillis() / 1000.0);
        if (warmUp.steady()) {
            return String.format(Locale.ROOT, "%ssteady after %.1f s (each second's p99 back at %.1f ms)", ramp, warmUp.seconds(),
                    warmUp.steadyP99Ms());
        }
        String lowest = warmUp.p99PerSecondMs().stream().allMatch(Objects::isNull) ? "no second in which a checkout completed"
                : String.format(Locale.ROOT, "lowest one-second p99 %.1f ms", warmUp.steadyP99Ms());
        return String.format(Locale.ROOT, "%sNOT steady within %.0f s (%s): measured anyway", ramp, warmUp.seconds(), lowest);
    }
}
