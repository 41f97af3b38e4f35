package dev.baton.orchestrator.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One step of a failover's timeline, persisted before and after it runs.
 *
 * @param changes what the step changed (or, once undone, what it put back), one line each
 * @param error   why it failed; empty otherwise
 */
public record TimelineStep(String name, State state, Instant startedAt, Instant finishedAt, Double durationMs,
                           List<String> changes, String error) {

    /** WAITING: an approval gate waits for a person; persisted so a new leader keeps waiting. */
    public enum State { PENDING, RUNNING, WAITING, DONE, FAILED, ROLLED_BACK, SKIPPED }

    public TimelineStep {
        changes = List.copyOf(changes);
    }

    static TimelineStep pending(String name) {
        return new TimelineStep(name, State.PENDING, null, null, null, List.of(), "");
    }

    /** A step that waited under a lost leader keeps its start, and so its deadline, when the new leader waits on. */
    TimelineStep started(Instant at) {
        if (state == State.WAITING) return this;
        return new TimelineStep(name, State.RUNNING, at, null, null, List.of(), "");
    }

    /** @param why what it waits for, e.g. the prompt and who may approve until when */
    TimelineStep waiting(String why) {
        return new TimelineStep(name, State.WAITING, startedAt, null, null, List.of(why), "");
    }

    TimelineStep ended(State state, Instant at, List<String> changes, String error) {
        Double ms = startedAt == null ? null : Duration.between(startedAt, at).toNanos() / 1e6;
        return new TimelineStep(name, state, startedAt, at, ms, changes, error);
    }

    /**
     * A step undone by a rollback: what it changed, then what was put back. A failed step stays FAILED.
     *
     * @param how said after "rolled back", e.g. " on abort"; may be empty
     */
    TimelineStep undone(String how, List<String> restored) {
        List<String> all = new ArrayList<>(changes);
        restored.forEach(r -> all.add("rolled back" + how + ": " + r));
        return new TimelineStep(name, state == State.FAILED ? State.FAILED : State.ROLLED_BACK, startedAt, finishedAt,
                durationMs, all, error);
    }

    TimelineStep skipped(String why) {
        return new TimelineStep(name, State.SKIPPED, null, null, null, List.of(), why);
    }
}
