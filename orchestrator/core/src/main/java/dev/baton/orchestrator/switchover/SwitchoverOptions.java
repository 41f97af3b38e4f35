package dev.baton.orchestrator.switchover;

import java.time.Duration;

/**
 * @param mode           HOLD holds new connections in HAProxy during the switch; NAIVE is the baseline
 * @param concurrency    how many shards {@link SwitchoverEngine#switchoverAll} switches at once
 * @param catchUpTimeout how long the candidate may take to apply the fenced primary's last GTID
 * @param maxLag         a candidate further behind (Seconds_Behind_Master) is refused
 * @param drainTimeout   HOLD only: how long to let clients that connected to the primary just before the
 *                       hold write and leave before the fence ends them (see the drain in
 *                       {@link ShardSwitchover}). It is the write pause's longest part when reached: 100 ms,
 *                       reached by 7 of 192 drains in a 10-round {@code bench switchover} (a pool's new
 *                       connection, or a connection HAProxy still counts after the last fence)
 * @param writerMaxconn  the writer servers' maxconn outside a switchover (as HAProxy's configuration
 *                       gives it): a switchover restores what it found, but a recovery after a dead
 *                       switchover finds the hold's maxconn 1 and HAProxy's runtime API cannot tell it
 *                       the configured value
 * @param shardTimeout   how long one shard's switchover may take to reach its promote (a runbook's
 *                       {@code perShardTimeout}); past it the shard is rolled back, its hold released and its
 *                       primary unfenced. It bounds the drain and the catch-up, which are what can run long;
 *                       once the candidate is promoted the switchover finishes whatever the time
 */
public record SwitchoverOptions(Mode mode, int concurrency, Duration catchUpTimeout, Duration maxLag,
                                Duration drainTimeout, StepListener listener, int writerMaxconn, Duration shardTimeout) {

    public enum Mode {
        /** Hold new connections in every DC's HAProxy queue, fence, promote, release them to the new primary. */
        HOLD,
        /** The baseline to beat: read_only on the primary, wait for catch-up, promote, flip HAProxy. */
        NAIVE
    }

    public SwitchoverOptions {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        if (writerMaxconn <= DcWriter.HOLD_MAXCONN) {
            throw new IllegalArgumentException("writerMaxconn must be above the hold's " + DcWriter.HOLD_MAXCONN + ", got " + writerMaxconn);
        }
        if (!shardTimeout.isPositive()) throw new IllegalArgumentException("shardTimeout must be positive, got " + shardTimeout);
    }

    public static SwitchoverOptions defaults() {
        return new SwitchoverOptions(Mode.HOLD, 8, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofMillis(100), StepListener.NONE, 1000, Duration.ofSeconds(10));
    }

    public SwitchoverOptions withMode(Mode mode) {
        return new SwitchoverOptions(mode, concurrency, catchUpTimeout, maxLag, drainTimeout, listener, writerMaxconn, shardTimeout);
    }

    public SwitchoverOptions withListener(StepListener listener) {
        return new SwitchoverOptions(mode, concurrency, catchUpTimeout, maxLag, drainTimeout, listener, writerMaxconn, shardTimeout);
    }

    public SwitchoverOptions withShardTimeout(Duration shardTimeout) {
        return new SwitchoverOptions(mode, concurrency, catchUpTimeout, maxLag, drainTimeout, listener, writerMaxconn, shardTimeout);
    }

    public SwitchoverOptions withDrainTimeout(Duration drainTimeout) {
        return new SwitchoverOptions(mode, concurrency, catchUpTimeout, maxLag, drainTimeout, listener, writerMaxconn, shardTimeout);
    }

    public SwitchoverOptions withConcurrency(int concurrency) {
        return new SwitchoverOptions(mode, concurrency, catchUpTimeout, maxLag, drainTimeout, listener, writerMaxconn, shardTimeout);
    }
}
