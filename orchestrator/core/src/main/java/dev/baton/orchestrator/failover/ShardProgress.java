package dev.baton.orchestrator.failover;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one shard of a failover is; persisted in ZooKeeper after every step.
 *
 * @param reason       why it rolled back or was refused; empty otherwise
 * @param writePauseMs null until the shard's switchover returned
 */
public record ShardProgress(String shard, State state, List<StepRecord> steps, String reason, Double writePauseMs,
                            Double wallMs) {

    public enum State { PENDING, RUNNING, SWITCHED, ROLLED_BACK, REFUSED, FAILED }

    public ShardProgress {
        steps = List.copyOf(steps);
    }

    static ShardProgress pending(String shard) {
        return new ShardProgress(shard, State.PENDING, List.of(), "", null, null);
    }

    ShardProgress withStep(StepRecord step) {
        List<StepRecord> more = new ArrayList<>(steps);
        more.add(step);
        return new ShardProgress(shard, State.RUNNING, more, reason, writePauseMs, wallMs);
    }

    public boolean finished() {
        return state != State.PENDING && state != State.RUNNING;
    }
}
