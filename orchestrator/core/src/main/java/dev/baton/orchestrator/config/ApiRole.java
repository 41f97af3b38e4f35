package dev.baton.orchestrator.config;

/** What an API user may do; each role includes the ones before it. */
public enum ApiRole {
    /** Reads: topology, failovers, events, metrics. */
    VIEWER,
    /** Also starts and aborts failovers. */
    OPERATOR,
    /** Everything, including what later issues add (acknowledging automatic failovers, drills). */
    ADMIN;

    public boolean allows(ApiRole needed) {
        return compareTo(needed) >= 0;
    }
}
