package dev.baton.orchestrator.switchover;

/** Told after each named step of a switchover has finished; a test hook (e.g. kill a server after "fence"). */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = (shard, step) -> { };

    void stepDone(String shard, String step);
}
