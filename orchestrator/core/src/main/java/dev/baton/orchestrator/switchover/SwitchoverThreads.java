package dev.baton.orchestrator.switchover;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for switchover work: platform threads, not virtual ones. A switchover's steps are a
 * handful of short blocking calls on the write pause's critical path; as virtual threads they
 * would queue on the JVM's few carrier threads behind whatever else the process runs (in the
 * benchmark: hundreds of checkout and probe tasks), and every queued millisecond is write pause.
 * The kernel schedules platform threads fairly against everything else.
 */
public final class SwitchoverThreads {
    public static final ThreadFactory FACTORY = Thread.ofPlatform().name("switchover-", 0).daemon().factory();

    private SwitchoverThreads() {
    }
}
