package dev.baton.orchestrator.health;

/** A datacenter's health as the coordinator judges it. */
public enum Verdict {
    /** Its own agents report and every local probe passes. */
    HEALTHY,
    /** Its own agents report, but some probe fails, or an outside observer cannot reach all of it. */
    DEGRADED,
    /**
     * Its own agents are silent, and no outside observer (other DCs' agents, coordinators outside it
     * with a fresh observation) can connect to any of it: two kinds of evidence agree.
     */
    DOWN,
    /** Not enough evidence either way: no outside observer, or its agents are silent but someone outside still reaches it. */
    UNKNOWN
}
