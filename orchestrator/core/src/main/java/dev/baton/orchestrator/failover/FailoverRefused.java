package dev.baton.orchestrator.failover;

import java.util.List;
import java.util.Optional;

/** A failover request refused before anything changed; the message names the problem. */
public class FailoverRefused extends RuntimeException {

    public enum Kind {
        /** A field is missing or wrong. */
        BAD_REQUEST,
        /** The named DC or failover does not exist. */
        NOT_FOUND,
        /** This coordinator does not lead; {@link #leader()} says who does. */
        NOT_LEADER,
        /** Another failover runs. */
        RUNNING,
        /** The target DC's health verdict is not HEALTHY (and the request does not force it). */
        TARGET_UNHEALTHY,
        /** A candidate cannot take over now: lagging, not replicating, errant transactions, or a shard cannot be asked. */
        NOT_READY,
        /** The user's role is below what the step asks, e.g. an approval gate for admins. */
        FORBIDDEN,
        /** The world does not allow it now: no primaries to move, a failover not running. */
        CONFLICT,
        /** The runbook is invalid, cannot be planned for this request, or has steps this coordinator cannot run; see {@link #problems()}. */
        INVALID_RUNBOOK
    }

    private final Kind kind;
    private final String leader;
    private final List<String> problems;
    private final boolean catchingUp;

    public FailoverRefused(Kind kind, String message) {
        this(kind, message, null);
    }

    public FailoverRefused(Kind kind, String message, String leader) {
        this(kind, message, leader, List.of());
    }

    public FailoverRefused(Kind kind, String message, String leader, List<String> problems) {
        this(kind, message, leader, problems, false);
    }

    private FailoverRefused(Kind kind, String message, String leader, List<String> problems, boolean catchingUp) {
        super(message);
        this.kind = kind;
        this.leader = leader;
        this.problems = List.copyOf(problems);
        this.catchingUp = catchingUp;
    }

    /**
     * NOT_READY, every problem listed.
     *
     * @param catchingUp only candidates still catching up: the same request may succeed in a few seconds
     */
    public static FailoverRefused notReady(String message, List<String> problems, boolean catchingUp) {
        return new FailoverRefused(Kind.NOT_READY, message, null, problems, catchingUp);
    }

    /** For NOT_READY: whether it is only candidates still catching up, which clears by itself (a client may ask again). */
    public boolean catchingUp() {
        return catchingUp;
    }

    /** Every problem found, one each; empty when the message says it all. */
    public List<String> problems() {
        return problems;
    }

    public Kind kind() {
        return kind;
    }

    /** The leader's API address, for NOT_LEADER; empty while no leader is elected. */
    public Optional<String> leader() {
        return Optional.ofNullable(leader);
    }
}
