package dev.baton.chaos.workload.probe;

/**
 * One probe write.
 *
 * @param startNanos {@link System#nanoTime()} when it began to connect
 * @param endNanos   when it committed or failed
 * @param error      null when the write committed
 */
public record ProbeAttempt(long startNanos, long endNanos, String error) {
    public boolean ok() {
        return error == null;
    }
}
