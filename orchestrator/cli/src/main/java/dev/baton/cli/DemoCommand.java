package dev.baton.cli;

import dev.baton.chaos.bench.BenchReport;
import dev.baton.chaos.bench.SwitchoverBench;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: bring up the lab, switch every shard to the other DC and back under checkout load, "
                + "print the report, leave the lab running.")
final class DemoCommand implements Callable<Integer> {
    @Mixin LabOptions lab;
    @Option(names = "--shards", defaultValue = "8", description = "Shards (default: ${DEFAULT-VALUE}).") int shards;
    @Option(names = "--rate", defaultValue = "200", description = "Checkouts per second (default: ${DEFAULT-VALUE}).") int rate;
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each there and back (default: ${DEFAULT-VALUE}).") int rounds;

    @Override
    public Integer call() throws Exception {
        Lab running = Lab.up(new LabSpec(lab.dir(), List.of("east", "west"), shards, 0, true));
        System.out.println(running.status().table());
        var options = new SwitchoverBench.Options(rate, rounds, 1, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5), false);
        BenchReport report = BenchCommand.run(running, options);
        report.write(lab.dir().resolve("report"));
        System.out.println(report.toMarkdown());
        System.out.println("report: " + lab.dir().resolve("report/report.md"));
        System.out.println("The lab is still running: ./baton lab status --dir " + lab.dir()
                + "   stop it with: ./baton lab down --dir " + lab.dir());
        // Speed targets can miss on a noisy machine; a failed, lost or duplicated checkout is a failure.
        var c = report.baton().checkouts();
        return c.failed() == 0 && c.lost() == 0 && c.duplicated() == 0 && c.auditProblems().isEmpty()
                && report.baton().notSwitched() == 0 ? 0 : 1;
    }
}
