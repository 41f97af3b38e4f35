package dev.baton.chaos.workload.load;

import java.time.Duration;

/**
 * @param ratePerSecond  checkouts started per second, whatever the previous ones are doing (open loop)
 * @param shops          shop ids are drawn from 1..shops, which spreads them over every shard
 * @param requestTimeout per HTTP request; above the app's retry budget plus one held connect,
 *                       so a checkout the app is still retrying is not cut off by the client
 * @param rampUp         from a tenth of the rate up to all of it, linearly, over this long after the start:
 *                       traffic arriving on a freshly deployed app; zero starts at the full rate
 */
public record LoadOptions(int ratePerSecond, int shops, Duration requestTimeout, Duration rampUp) {
    public LoadOptions {
        if (rampUp == null || rampUp.isNegative()) throw new IllegalArgumentException("rampUp must be >= 0, got " + rampUp);
        if (ratePerSecond < 1) throw new IllegalArgumentException("ratePerSecond must be >= 1, got " + ratePerSecond);
        if (shops < 1) throw new IllegalArgumentException("shops must be >= 1, got " + shops);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(200, 1000, Duration.ofSeconds(8), Duration.ZERO);
    }

    public LoadOptions withRate(int perSecond) {
        return new LoadOptions(perSecond, shops, requestTimeout, rampUp);
    }

    public LoadOptions withRampUp(Duration rampUp) {
        return new LoadOptions(ratePerSecond, shops, requestTimeout, rampUp);
    }
}
