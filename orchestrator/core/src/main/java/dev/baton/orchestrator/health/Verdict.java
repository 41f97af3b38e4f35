package dev.baton.orchestrator.health;

/** A datacenter's health as the coordinator judges it. */
public enum Verdict {
    /** Its own agents report and every local probe passes. */
    HEALTHY,
    /** Its own agents report, but some probe fails, or another DC cannot reach all of it. */
    DEGRADED,
    /** Its own agents are silent and no other DC's agent can reach any of it: two kinds of evidence agree. */
    DOWN,
    /** Not enough evidence either way: no reports at all, or its agents are silent but it is still reachable. */
    UNKNOWN
}
