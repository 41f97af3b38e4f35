package dev.baton.agents.probe;

import dev.baton.wire.health.Probe;

/** One check an agent runs every round. */
public interface Prober {
    /** Runs the check within the prober's own timeout. Never throws: a failure is a result. */
    Probe run();

    /** The result to report when {@link #run} overran the agent's round or broke unexpectedly. */
    Probe failed(String error);
}
