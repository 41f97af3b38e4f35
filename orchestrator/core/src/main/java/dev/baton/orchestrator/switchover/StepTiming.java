package dev.baton.orchestrator.switchover;

/** One step of a switchover: when it started, counted from the switchover's start, and how long it took. */
public record StepTiming(String name, double startOffsetMs, double durationMs) {
}
