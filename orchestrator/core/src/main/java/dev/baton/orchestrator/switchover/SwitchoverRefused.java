package dev.baton.orchestrator.switchover;

/** A switchover refused before anything changed; the message names the problem. */
public class SwitchoverRefused extends RuntimeException {

    public enum Kind { UNKNOWN_SHARD, UNKNOWN_DC, ALREADY_THERE, NOT_READY }

    private final Kind kind;

    public SwitchoverRefused(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
