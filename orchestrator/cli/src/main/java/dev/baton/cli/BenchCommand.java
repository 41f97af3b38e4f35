package dev.baton.cli;

import dev.baton.chaos.bench.BenchReport;
import dev.baton.chaos.bench.SwitchoverBench;
import dev.baton.chaos.bench.ingest.IngestBench;
import dev.baton.chaos.bench.ingest.IngestReport;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures (JSON + Markdown).",
        subcommands = {BenchCommand.Footprint.class, BenchCommand.Switchover.class, BenchCommand.Evacuate.class, BenchCommand.LeaderKill.class, BenchCommand.Ingest.class})
final class BenchCommand {
    /**
     * The coordinator under the ingest bench: a 128 MB heap is ample (it keeps one report per agent), and the serial
     * collector has neither G1's per-region native overhead (RSS) nor its concurrent threads competing for 2 cores;
     * its young collections of so small a heap take a few ms.
     */
    static final String COORDINATOR_JVM = "-Xmx128m -XX:+UseSerialGC";

    @Command(name = "switchover", mixinStandardHelpOptions = true,
            description = "Every shard back and forth under checkout load, Baton vs a naive baseline, on a fresh lab; exits 1 when "
                    + "a target is missed or an order was lost or stored twice in any phase.")
    static final class Switchover implements Callable<Integer> {
        @Mixin BenchLab bench;
        @Option(names = "--rounds", defaultValue = "10", description = "Rounds, each there and back (default: ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--idle-rounds", defaultValue = "2", description = "Rounds of each way with no checkout load after the loaded "
                + "phases, on the same lab (default: ${DEFAULT-VALUE}; 0: none).") int idleRounds;
        @Option(names = "--baseline-rounds", description = "Rounds of the naive baseline (default: same as --rounds; 0: none).") Integer baselineRounds;
        @Option(names = "--out", defaultValue = "bench-out/switchover", description = "Report folder (default: ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--settle-ms", defaultValue = "1000", description = "Pause after each switchover (default: ${DEFAULT-VALUE}).") long settleMs;
        @Option(names = "--quiet-seconds", defaultValue = "5", description = "Quiet window measuring background stalls (default: ${DEFAULT-VALUE}).") long quietSeconds;
        @Option(names = "--warmup-seconds", defaultValue = "30", description = "Longest warm-up before measuring: load to every DC in turn "
                + "(JIT, pooled connections) until checkout latency is steady (default: ${DEFAULT-VALUE}).") long warmupSeconds;

        @Override
        public Integer call() throws Exception {
            Path labDir = out.toAbsolutePath().resolve("lab");
            Lab.attach(labDir).ifPresent(Lab::down); // a fresh lab every run: figures from a known start
            RunFootprint footprint = RunFootprint.start(labDir);
            Lab lab = Lab.up(new LabSpec(labDir, bench.dcs, bench.shards, 0, false));
            try {
                var options = new SwitchoverBench.Options(bench.rate, rounds, baselineRounds == null ? rounds : baselineRounds,
                        Duration.ofMillis(settleMs), Duration.ofSeconds(quietSeconds), Duration.ofSeconds(warmupSeconds), true,
                        idleRounds);
                BenchReport report = run(lab, options);
                report.write(out);
                printReport(out, report.toMarkdown() + footprint.appendTo(out));
                return report.ok() ? 0 : 1;
            } finally {
                if (bench.keepLab) System.out.println("lab left running: ./baton lab down --dir " + labDir);
                else lab.down();
            }
        }
    }

    @Command(name = "footprint", mixinStandardHelpOptions = true,
            description = "CPU and memory of every process of the demo's lab (servers, checkout apps, coordinators, agents, the load "
                    + "generator), from /proc: start-up, idle, and under checkout load with a write probe per shard; exits 1 when a "
                    + "target is missed.")
    static final class Footprint implements Callable<Integer> {
        @Option(names = "--shards", defaultValue = "8", description = "Shards (default: ${DEFAULT-VALUE}).") int shards;
        @Option(names = "--rate", defaultValue = "200", description = "Checkouts per second (default: ${DEFAULT-VALUE}).") int rate;
        @Option(names = "--idle-seconds", defaultValue = "60", description = "Idle window (default: ${DEFAULT-VALUE}).") long idleSeconds;
        @Option(names = "--load-seconds", defaultValue = "60", description = "Load window (default: ${DEFAULT-VALUE}).") long loadSeconds;
        // 10 writes a second per shard: the probe is the instrument, not the load, and 50 a second per shard (400 writes/s over 8
        // shards, twice the checkouts) made the databases' CPU under "load" mostly the probe's.
        @Option(names = "--probe-interval-ms", defaultValue = "100", description = "Each shard's pooled write probe writes this often (default: ${DEFAULT-VALUE}).") long probeMs;
        @Option(names = "--warmup-limit-seconds", defaultValue = "120", description = "Longest wait for steady checkout latency (default: ${DEFAULT-VALUE}).") long warmupLimit;
        @Option(names = "--keep-lab", description = "Leave the lab running afterwards.") boolean keepLab;
        @Option(names = "--out", defaultValue = "bench-out/footprint", description = "Report folder (default: ${DEFAULT-VALUE}).") Path out;

        @Override
        public Integer call() throws Exception {
            Path labDir = out.toAbsolutePath().resolve("lab");
            var options = new FootprintBench.Options(shards, rate, Duration.ofSeconds(idleSeconds), Duration.ofSeconds(loadSeconds),
                    Duration.ofMillis(probeMs), Duration.ofSeconds(warmupLimit));
            java.util.concurrent.atomic.AtomicReference<Lab> lab = new java.util.concurrent.atomic.AtomicReference<>();
            try {
                FootprintBench.Report report = new FootprintBench(labDir, options, System.out).run(lab::set);
                EvacuationBench.writeReport(out, report, report.markdown());
                printReport(out, report.markdown());
                return report.ok() ? 0 : 1;
            } finally {
                if (keepLab) System.out.println("lab left running: ./baton lab down --dir " + labDir);
                else if (lab.get() != null) lab.get().down();
            }
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Agent reports posted open-loop to a coordinator in its own JVM: ingest latency, errors, the coordinator's RSS; "
                    + "exits 1 when a target is missed.")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--agents", defaultValue = "200", description = "Registered agents taking turns (default: ${DEFAULT-VALUE}).") int agents;
        @Option(names = "--rate", defaultValue = "2000", description = "Reports per second (default: ${DEFAULT-VALUE}).") int rate;
        @Option(names = "--seconds", defaultValue = "60", description = "Measured seconds (default: ${DEFAULT-VALUE}).") int seconds;
        @Option(names = "--warmup-seconds", defaultValue = "10", description = "Load before measuring, for JIT warm-up (default: ${DEFAULT-VALUE}).") int warmupSeconds;
        @Option(names = "--connections", defaultValue = "64", description = "Keep-alive connections at most; real agents each hold their own (default: ${DEFAULT-VALUE}).") int connections;
        @Option(names = "--shards", defaultValue = "4", description = "Shards of the lab whose servers the reports describe (default: ${DEFAULT-VALUE}).") int shards;
        @Option(names = "--coordinator-jvm-options", defaultValue = COORDINATOR_JVM,
                description = "JVM options of the coordinator under test, space-separated (default: ${DEFAULT-VALUE}).") String jvmOptions;
        @Option(names = "--out", defaultValue = "bench-out/ingest", description = "Report folder (default: ${DEFAULT-VALUE}).") Path out;

        @Override
        public Integer call() throws Exception {
            Path labDir = out.toAbsolutePath().resolve("lab");
            Lab.attach(labDir).ifPresent(Lab::down);
            RunFootprint footprint = RunFootprint.start(labDir);
            // The lab gives the coordinator its ZooKeeper and the reports real servers to describe; no checkout apps needed.
            Lab lab = Lab.up(new LabSpec(labDir, List.of("east", "west"), shards, 0, false));
            try (BenchCoordinator coordinator = BenchCoordinator.start(lab, agents,
                    jvmOptions.isBlank() ? List.of() : List.of(jvmOptions.trim().split("\\s+")))) {
                footprint.track(new dev.baton.chaos.bench.footprint.Tracked("coordinator", "coordinator (under test)", coordinator.pid()));
                var options = new IngestBench.Options(rate, Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(seconds), connections);
                IngestReport report = new IngestBench(coordinator.url(), lab.topology(), coordinator.agents(), coordinator.pid(),
                        options, System.out).run().withCoordinatorJvmOptions(jvmOptions.trim());
                report.write(out);
                printReport(out, report.toMarkdown() + footprint.appendTo(out));
                return report.targetsMet() ? 0 : 1;
            } finally {
                lab.down();
            }
        }
    }

    @Command(name = "evacuate", mixinStandardHelpOptions = true,
            description = "Whole-DC evacuations there and back under checkout load through the coordinator API, on a fresh lab "
                    + "with a coordinator and an agent per DC.")
    static final class Evacuate implements Callable<Integer> {
        @Mixin BenchLab bench;
        @Option(names = "--rounds", defaultValue = "5", description = "Rounds, each an evacuation and the fail-back (default: ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--out", defaultValue = "bench-out/evacuate", description = "Report folder (default: ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--settle-ms", defaultValue = "1000", description = "Load with no evacuation after each one (default: ${DEFAULT-VALUE}).") long settleMs;
        @Option(names = "--warmup-seconds", defaultValue = "30", description = "Longest warm-up before the first evacuation of each phase: "
                + "load to every DC in turn (so the standby is warm) until checkout latency is steady, after a 2.5 s ramp-up (default: ${DEFAULT-VALUE}).") long warmupSeconds;
        @Option(names = "--warmup-rounds", defaultValue = "1", description = "Rounds before the measured ones, reported apart: the first evacuation meets cold JVMs (default: ${DEFAULT-VALUE}).") int warmupRounds;

        @Override
        public Integer call() throws Exception {
            return onServices(out, bench, (lab, services, footprint) -> {
                var options = new EvacuationBench.Options(bench.dcs.get(0), bench.dcs.get(1), bench.rate, rounds, warmupRounds, Duration.ofMillis(settleMs),
                        Duration.ofSeconds(warmupSeconds), Duration.ofMillis(2500));
                EvacuationBench.Report report = new EvacuationBench(lab.topology(), services, options, System.out).run();
                report.write(out);
                printReport(out, report.markdown() + footprint.appendTo(out));
                return report.ok() ? 0 : 1;
            });
        }
    }

    @Command(name = "leader-kill", mixinStandardHelpOptions = true,
            description = "kill -9 of the leading coordinator in the middle of whole-DC evacuations, each time at another step, under "
                    + "checkout load, with every shard's servers asked directly who is writable; on a fresh lab with a coordinator "
                    + "and an agent per DC.")
    static final class LeaderKill implements Callable<Integer> {
        @Mixin BenchLab bench;
        @Option(names = "--kills", defaultValue = "5", description = "Evacuations whose leader is killed (default: ${DEFAULT-VALUE}).") int kills;
        @Option(names = "--steps", split = ",", defaultValue = "precheck,drain-dns,drain-lb,switch-shards,verify",
                description = "The step at which each kill lands, in turn; switch-shards kills after the first shard fenced (default: ${DEFAULT-VALUE}).")
        List<String> steps;
        @Option(names = "--out", defaultValue = "bench-out/leader-kill", description = "Report folder (default: ${DEFAULT-VALUE}).") Path out;
        @Option(names = "--settle-ms", defaultValue = "1000", description = "Load with no evacuation after each kill's restart (default: ${DEFAULT-VALUE}).") long settleMs;
        @Option(names = "--warmup-seconds", defaultValue = "30", description = "Longest warm-up before the first evacuation: load to every "
                + "DC in turn (so the standby is warm) until checkout latency is steady (default: ${DEFAULT-VALUE}).") long warmupSeconds;

        @Override
        public Integer call() throws Exception {
            List<String> unknown = steps.stream().filter(s -> !LeaderKillBench.STEPS.contains(s)).toList();
            if (!unknown.isEmpty() || steps.isEmpty()) {
                throw new IllegalArgumentException("--steps " + String.join(",", steps) + ": unknown step(s) " + unknown
                        + "; a kill can land at " + String.join(", ", LeaderKillBench.STEPS));
            }
            return onServices(out, bench, (lab, services, footprint) -> {
                var options = new LeaderKillBench.Options(bench.rate, kills, steps, Duration.ofMillis(settleMs), Duration.ofSeconds(warmupSeconds));
                LeaderKillBench.Report report = new LeaderKillBench(lab, services, options, System.out).run();
                report.write(out);
                printReport(out, report.markdown() + footprint.appendTo(out));
                return report.ok() ? 0 : 1;
            });
        }
    }

    /** The lab every bench brings up afresh, and the load it runs. */
    static final class BenchLab {
        @Option(names = "--shards", defaultValue = "8", description = "Shards (default: ${DEFAULT-VALUE}).") int shards;
        @Option(names = "--rate", defaultValue = "200", description = "Checkouts per second (default: ${DEFAULT-VALUE}).") int rate;
        @Option(names = "--dcs", split = ",", defaultValue = "east,west",
                description = "Datacenters; the first is the one evacuated or switched away from (default: ${DEFAULT-VALUE}).") List<String> dcs;
        @Option(names = "--keep-lab", description = "Leave the bench's lab (and its coordinators and agents) running afterwards.") boolean keepLab;
    }

    private static void printReport(Path out, String markdown) {
        System.out.println(markdown);
        System.out.println("report: " + out.resolve("report.json") + " and " + out.resolve("report.md"));
    }

    /** What a bench does on a lab with its services. */
    @FunctionalInterface
    interface OnServices<T> {
        T run(Lab lab, LabServices services, RunFootprint footprint) throws Exception;
    }

    /**
     * A fresh lab (figures from a known start) with checkout apps, a coordinator and an agent per DC, brought down with
     * everything in it afterwards unless {@code --keep-lab}.
     */
    static <T> T onServices(Path out, BenchLab bench, OnServices<T> body) throws Exception {
        Path labDir = out.toAbsolutePath().resolve("lab");
        Lab.attach(labDir).ifPresent(Lab::down);
        RunFootprint footprint = RunFootprint.start(labDir);
        Lab lab = Lab.up(new LabSpec(labDir, bench.dcs, bench.shards, 0, true));
        try {
            return body.run(lab, LabServices.start(lab, Duration.ofSeconds(120)), footprint);
        } finally {
            if (bench.keepLab) System.out.println("lab left running: ./baton lab down --dir " + labDir);
            else lab.down();
        }
    }

    static BenchReport run(Lab lab, SwitchoverBench.Options options) throws InterruptedException {
        var topology = lab.topology();
        return new SwitchoverBench(topology, options, System.out)
                .run(new EngineSwitcher(topology, false), new EngineSwitcher(topology, true));
    }
}
