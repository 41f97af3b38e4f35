package dev.baton.orchestrator.switchover;

import dev.baton.wire.Topology;

import java.nio.file.Path;
import java.util.List;

/**
 * A coordinator that dies right after one step of a switchover, as a kill -9 at that point would:
 * {@code halt} runs no shutdown hook and closes nothing gracefully; the kernel drops its sockets.
 * Arguments: topology file, shard (or shards, comma-separated: one batch, halted after the first one's step), target
 * DC, step. Exits 137 when it halted, 1 when the step never came.
 */
final class HaltingSwitchover {
    static final int HALTED = 137;

    public static void main(String[] args) {
        Topology topology = Topology.read(Path.of(args[0]));
        List<String> shards = List.of(args[1].split(","));
        String haltAfter = args[3];
        SwitchoverEngine engine = new SwitchoverEngine(topology, SwitchoverOptions.defaults().withListener((shard, step) -> {
            if (step.equals(haltAfter) && shard.equals(shards.getFirst())) Runtime.getRuntime().halt(HALTED);
        }));
        System.out.println("not halted: " + (shards.size() == 1 ? engine.switchover(shards.getFirst(), args[2])
                : engine.switchoverEach(shards, args[2])));
        System.exit(1);
    }
}
