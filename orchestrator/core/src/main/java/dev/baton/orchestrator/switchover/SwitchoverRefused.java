package dev.baton.orchestrator.switchover;

/** A switchover refused before anything changed; the message names the problem. */
public class SwitchoverRefused extends RuntimeException {

    public enum Kind { UNKNOWN_SHARD, UNKNOWN_DC, ALREADY_THERE, NOT_READY }

    private final Kind kind;
    private final boolean catchingUp;

    public SwitchoverRefused(Kind kind, String message) {
        this(kind, message, false);
    }

    /** @param catchingUp NOT_READY only because the candidate is still catching up (see {@link #catchingUp()}) */
    public SwitchoverRefused(Kind kind, String message, boolean catchingUp) {
        super(message);
        this.kind = kind;
        this.catchingUp = catchingUp;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * NOT_READY only because the candidate is behind, as just after the previous move (see
     * {@link dev.baton.orchestrator.mysql.CandidateProblem}): the same switchover may go through in a few seconds.
     */
    public boolean catchingUp() {
        return catchingUp;
    }
}
