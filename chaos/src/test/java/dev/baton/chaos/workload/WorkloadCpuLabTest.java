package dev.baton.chaos.workload;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabProcess;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.load.WarmUp;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the checkout workload itself costs, per checkout: a measurement, not a timed assertion. A 2 DC x 8 shard
 * lab with its checkout apps as child JVMs (as the demo runs them), this JVM as the load generator through DNS;
 * once latency is steady, CPU of every process from /proc over the measured window, divided by the checkouts
 * completed in it. Off by default (about a minute of a shared machine):
 * {@code mvn -pl chaos -am test -Dtest=WorkloadCpuLabTest -Dworkload.cpu=true [-Dworkload.cpu.rate=200 -Dworkload.cpu.seconds=30
 * -Dworkload.cpu.warmup=40]};
 * the figures go to the test's output and to {@code target/workload-cpu.txt}. {@code -Dworkload.cpu.jfr=DIR} also
 * records the measured window with JFR ("profile" settings, which cost some CPU themselves) in this JVM and in
 * east's checkout app, for {@code jfr view hot-methods}.
 */
@EnabledIfSystemProperty(named = "workload.cpu", matches = "true")
class WorkloadCpuLabTest {
    /** USER_HZ: /proc's clock ticks, 100 on Linux whatever the kernel's HZ. */
    private static final double TICKS_PER_SECOND = 100.0;

    @Test
    void cpuPerCheckout(@TempDir Path dir) throws Exception {
        int rate = Integer.getInteger("workload.cpu.rate", 200);
        Duration measured = Duration.ofSeconds(Long.getLong("workload.cpu.seconds", 30));
        try (Lab lab = Lab.up(new LabSpec(dir, List.of("east", "west"), 8, 0, true))) {
            LoadResult result;
            WarmUp warmUp;
            long loadStarted;
            Map<String, Double> cpuSeconds;
            Map<String, Map<String, Double>> threadSeconds;
            long completed;
            double wallSeconds;
            try (LoadGenerator generator = new LoadGenerator(lab.topology(),
                    LoadOptions.defaults().withRate(rate).withRampUp(Duration.ofSeconds(5)))) {
                generator.start();
                loadStarted = System.nanoTime();
                // JIT compilation is most of a fresh JVM's CPU for its first minute on this machine: not what a checkout
                // costs. What is left of it in the window is counted apart (the JIT column).
                Thread.sleep(Duration.ofSeconds(Long.getLong("workload.cpu.warmup", 40)));
                warmUp = generator.awaitSteady(Duration.ofSeconds(60));
                Recording recording = profile(lab, measured);
                Map<String, Long> before = ticks(lab);
                Map<String, Map<Long, Task>> threadsBefore = threadTicks(lab);
                LoadResult at = generator.snapshot();
                long from = System.nanoTime();
                Thread.sleep(measured);
                Map<String, Long> after = ticks(lab);
                Map<String, Map<Long, Task>> threadsAfter = threadTicks(lab);
                wallSeconds = (System.nanoTime() - from) / 1e9;
                LoadResult now = generator.snapshot();
                completed = now.acknowledged() + now.failed() - at.acknowledged() - at.failed();
                cpuSeconds = new TreeMap<>();
                after.forEach((kind, t) -> cpuSeconds.put(kind, (t - before.getOrDefault(kind, 0L)) / TICKS_PER_SECOND));
                threadSeconds = new TreeMap<>();
                threadsAfter.forEach((kind, threads) -> {
                    Map<String, Double> byGroup = new TreeMap<>();
                    threads.forEach((tid, task) -> {
                        Task then = threadsBefore.getOrDefault(kind, Map.of()).get(tid);
                        byGroup.merge(task.group(), (task.ticks() - (then == null ? 0 : then.ticks())) / TICKS_PER_SECOND, Double::sum);
                        byGroup.merge(task.group() + " (sys)", (task.sysTicks() - (then == null ? 0 : then.sysTicks())) / TICKS_PER_SECOND,
                                Double::sum);
                    });
                    threadSeconds.put(kind, byGroup);
                });
                result = generator.stop();
                if (recording != null) {
                    recording.stop(); // writes it to its destination
                    recording.close();
                }
            }

            StringBuilder report = new StringBuilder();
            report.append(String.format(Locale.ROOT, "workload CPU at %d checkouts/s over %.1f s (warm-up: %s after %.0f s more, "
                            + "steady p99 %.1f ms); %d checkouts completed in the window, %d failed overall %s%n",
                    rate, wallSeconds, warmUp.steady() ? "steady" : "NOT steady", warmUp.seconds(), warmUp.steadyP99Ms(),
                    completed, result.failed(), result.failureReasons()));
            report.append(String.format(Locale.ROOT, "latency overall: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    result.latencyMs().p50Ms(), result.latencyMs().p99Ms(), result.latencyMs().maxMs()));
            if (result.failed() > 0) {
                report.append("failures: ").append(result.failureSamples(3)).append('\n');
                Map<Long, Long> bySecond = result.failures().stream().collect(Collectors.groupingBy(
                        f -> (f.plannedAtNanos() - loadStarted) / 1_000_000_000, TreeMap::new, Collectors.counting()));
                report.append("failures by second of load (planned): ").append(bySecond).append('\n');
            }
            report.append("warm-up p99 per second (ms): ").append(warmUp.p99PerSecondMs()).append('\n');
            report.append("  process           % of a core   ms CPU per checkout   of which JIT compiler threads\n");
            cpuSeconds.forEach((kind, s) -> {
                double jit = threadSeconds.getOrDefault(kind, Map.of()).entrySet().stream()
                        .filter(e -> e.getKey().equals("C# CompilerThre"))
                        .mapToDouble(Map.Entry::getValue).sum();
                report.append(String.format(Locale.ROOT, "  %-16s %6.1f %%       %6.3f                %6.3f ms%n", kind,
                        100 * s / wallSeconds, 1000 * s / completed, 1000 * jit / completed));
            });
            threadSeconds.forEach((kind, groups) -> {
                report.append("  ").append(kind).append(" by thread, ms CPU per checkout:");
                groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .filter(e -> e.getValue() > 0)
                        .forEach(e -> report.append(String.format(Locale.ROOT, " %s %.3f;", e.getKey(), 1000 * e.getValue() / completed)));
                report.append('\n');
            });
            System.out.print(report);
            Files.writeString(Path.of("target", "workload-cpu.txt"), report, StandardCharsets.UTF_8);

            AuditResult audit = new OrderAudit(lab.topology(), Duration.ofSeconds(20)).check(result.orders());
            assertThat(audit.lost()).isEmpty();
            assertThat(audit.duplicated()).isEmpty();
        }
    }

    /** With {@code -Dworkload.cpu.jfr=DIR}: JFR in east's checkout app (by jcmd) and in this JVM, for the measured window. */
    private static Recording profile(Lab lab, Duration window) throws Exception {
        String dir = System.getProperty("workload.cpu.jfr");
        if (dir == null) return null;
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        // CPU-time samples (JDK 25, Linux) see native and kernel time too, which execution samples miss.
        new ProcessBuilder(jcmd.toString(), Long.toString(lab.pidOf("checkout east")), "JFR.start", "settings=profile",
                "jdk.CPUTimeSample#enabled=true", "jdk.CPUTimeSample#throttle=2ms",
                "duration=" + window.toSeconds() + "s", "filename=" + Path.of(dir, "checkout-east.jfr").toAbsolutePath())
                .inheritIO().start().waitFor();
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.enable("jdk.CPUTimeSample").with("throttle", "2ms");
        recording.setDestination(Path.of(dir, "load-generator.jfr").toAbsolutePath());
        recording.start();
        return recording;
    }

    /** CPU ticks so far per kind of process: this JVM (the load generator), each checkout app, and the rest by kind. */
    private static Map<String, Long> ticks(Lab lab) throws IOException {
        Map<String, Long> byKind = new LinkedHashMap<>();
        byKind.put("load generator", ticksOf(ProcessHandle.current().pid()));
        for (LabProcess p : lab.processes()) {
            String kind = p.name().startsWith("checkout") ? p.name() : p.name().split(" ")[0];
            byKind.merge(kind, ticksOf(p.pid()), Long::sum);
        }
        return byKind;
    }

    /** A thread: its name with the numbers taken out (so a pool's threads group together) and its CPU ticks so far. */
    private record Task(String group, long ticks, long sysTicks) {
    }

    /**
     * CPU ticks so far of every thread (by thread id) of the JVMs: this one and the checkout apps. A thread that
     * ends inside the window takes its ticks along, so the groups may add up to less than the process.
     */
    private static Map<String, Map<Long, Task>> threadTicks(Lab lab) throws IOException {
        Map<String, Map<Long, Task>> byKind = new LinkedHashMap<>();
        byKind.put("load generator", threadTicksOf(ProcessHandle.current().pid()));
        for (LabProcess p : lab.processes()) {
            if (p.name().startsWith("checkout")) byKind.put(p.name(), threadTicksOf(p.pid()));
        }
        return byKind;
    }

    private static Map<Long, Task> threadTicksOf(long pid) throws IOException {
        Map<Long, Task> threads = new LinkedHashMap<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.ISO_8859_1).strip();
                    threads.put(Long.parseLong(task.getFileName().toString()),
                            new Task(name.replaceAll("\\d+", "#"), ticksIn(task.resolve("stat")), sysTicksIn(task.resolve("stat"))));
                } catch (IOException e) {
                    // The thread ended while being listed.
                }
            }
        }
        return threads;
    }

    private static long ticksOf(long pid) throws IOException {
        return ticksIn(Path.of("/proc", Long.toString(pid), "stat"));
    }

    private static long sysTicksIn(Path statFile) throws IOException {
        String stat = Files.readString(statFile, StandardCharsets.ISO_8859_1);
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[12]);
    }

    private static long ticksIn(Path statFile) throws IOException {
        String stat = Files.readString(statFile, StandardCharsets.ISO_8859_1);
        // "pid (comm) state ...": comm may hold spaces, so count fields after the last ')'; utime and stime are 14 and 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
