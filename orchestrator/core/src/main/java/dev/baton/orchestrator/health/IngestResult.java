package dev.baton.orchestrator.health;

/** What {@link ReportIngest} did with a report. */
public sealed interface IngestResult {
    record Accepted(String agentId, long sequence) implements IngestResult {
    }

    /** Refused, nothing recorded; {@code message} names the agent and the problem. */
    record Rejected(Code code, String message) implements IngestResult {
    }

    enum Code {
        /** Not JSON of a health report, or a field is missing. */
        MALFORMED,
        /** The authenticated agent is not registered. */
        UNKNOWN_AGENT,
        /** The report names another agent than the token's. */
        AGENT_MISMATCH,
        /** The report names a DC the topology does not have. */
        UNKNOWN_DC,
        /** The report is for another DC than the agent is registered for. */
        DC_MISMATCH,
        /** Its sequence is not above the last accepted one of that agent. */
        REPLAYED,
        /** Sent too long ago. */
        STALE,
        /** Sent later than now, beyond the allowed clock skew. */
        FROM_THE_FUTURE
    }
}
