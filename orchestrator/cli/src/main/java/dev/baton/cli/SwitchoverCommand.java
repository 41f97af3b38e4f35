package dev.baton.cli;

import dev.baton.orchestrator.switchover.SwitchoverEngine;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import dev.baton.wire.Topology;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "switchover", mixinStandardHelpOptions = true,
        description = "Move a shard's primary (or every shard's) to another DC, holding new writes instead of failing them.")
final class SwitchoverCommand implements Callable<Integer> {

    static final class Which {
        @Option(names = "--shard", required = true, description = "The shard to move, e.g. s1.") String shard;
        @Option(names = "--all", required = true, description = "Every shard whose primary is not in the target DC.") boolean all;
    }

    @Mixin LabOptions lab;
    @Option(names = "--topology", description = "Topology file (default: the lab's topology.json).")
    Path topologyFile;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;
    @Option(names = "--to", required = true, description = "The datacenter that gets the primaries.")
    String to;
    @Option(names = "--naive", description = "The baseline way: read_only, wait, promote, flip; no holding.")
    boolean naive;
    @Option(names = "--concurrency", defaultValue = "8", description = "Shards switched at once (default: ${DEFAULT-VALUE}).")
    int concurrency;
    @Option(names = "--dry-run", description = "Only the steps before the hold (precheck, connections to the servers and every "
            + "DC's HAProxy); says what would be switched or refused, changes nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        Topology topology = Topology.read(topologyFile != null ? topologyFile : lab.dir().resolve("topology.json"));
        SwitchoverEngine engine = new SwitchoverEngine(topology, EngineSwitcher.options(naive, concurrency));
        List<SwitchoverResult> results = dryRun
                ? (which.all ? engine.checkAll(to) : List.of(engine.check(which.shard, to)))
                : (which.all ? engine.switchoverAll(to) : List.of(engine.switchover(which.shard, to)));
        if (results.isEmpty()) System.out.println("nothing to do: every primary is already in " + to);
        results.forEach(r -> System.out.println(EngineSwitcher.describe(r)));
        SwitchoverResult.Outcome wanted = dryRun ? SwitchoverResult.Outcome.CHECKED : SwitchoverResult.Outcome.SWITCHED;
        return results.stream().allMatch(r -> r.outcome() == wanted) ? 0 : 1;
    }
}
