package dev.baton.orchestrator.failover;

/** A waiting step (approval gate, wait-until) woken by an abort: the failover then rolls back as an abort does. */
final class WaitAborted extends RuntimeException {
    WaitAborted(String because) {
        super(because);
    }
}
