package dev.baton.cli;

import dev.baton.chaos.bench.footprint.Footprint;
import dev.baton.chaos.bench.footprint.FootprintSampler;
import dev.baton.chaos.bench.footprint.Tracked;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabProcess;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.AcknowledgedOrder;
import dev.baton.chaos.workload.load.LatencySummary;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.load.WarmUp;
import dev.baton.chaos.workload.probe.ProbeAttempt;
import dev.baton.chaos.workload.probe.ProbeResult;
import dev.baton.chaos.workload.probe.WriteProbe;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the demo's lab costs the machine it runs on: CPU and resident memory of every process
 * (MariaDB, HAProxy, PowerDNS, ZooKeeper, stand-ins, checkout apps, coordinators, agents, and this
 * JVM as the load generator), from /proc, in three windows: (a) from {@code lab up} until every
 * coordinator sees every DC healthy, (b) idle, after a warm-up, (c) steady under checkout load, with
 * a no-retry pooled write probe per shard whose longest gaps are the noise floor under every write
 * pause figure of the other benches.
 */
final class FootprintBench {
    /**
     * Start-up CPU seconds {@code bench footprint} measured at 7601d3a (the last commit before issue 10, with this bench
     * cherry-picked onto it) on a freshly booted 2-core machine, its first run: the target is half of it.
     */
    static final double STARTUP_CPU_SECONDS_BEFORE = 58.4;
    static final double IDLE_AGENT_PCT = 0.5;
    static final double IDLE_COORDINATOR_PCT = 1.0;
    static final double LOAD_CORES = 0.8;
    static final double STALL_P99_MS = 30;

    record Options(int shards, int rate, Duration idle, Duration load, Duration probeInterval, Duration warmupLimit) {
    }

    /** (a) From {@code lab up} until the services are ready; this JVM counts from its own start. */
    record Startup(double cpuSeconds, double wallSeconds, Footprint footprint) {
    }

    /** (b) No load at all. */
    record Idle(double agentCpuPct, double coordinatorCpuPct, double totalCores, Footprint footprint) {
    }

    /**
     * The pooled probes' stalls: for every committed write after the first, the time since the previous committed
     * write of its shard minus the probe's interval (how much later than planned writes went on), over every shard.
     */
    record Stalls(int probeIntervalMs, long writes, long failedWrites, double p50, double p99, double max,
                  Map<String, Double> maxPerShard) {
    }

    record Checkouts(long attempted, long acknowledged, long failed, long lost, long duplicated, Map<String, Long> failureReasons,
                     List<String> auditProblems) {
        boolean clean() {
            return failed == 0 && lost == 0 && duplicated == 0 && auditProblems.isEmpty();
        }
    }

    /** (c) Steady checkout load. */
    record Load(int ratePerSecond, double totalCores, Stalls stallMs, LatencySummary latencyMs, WarmUp steadyAfter, Footprint footprint) {
    }

    record Target(String name, String target, String measured, boolean met) {
    }

    record Report(Options options, String startedAt, int cores, Startup startup, WarmUp warmUp, Idle idle, Load load,
                  Checkouts checkouts, List<Target> targets) {
        boolean ok() {
            return targets.stream().allMatch(Target::met);
        }

        String markdown() {
            StringBuilder md = new StringBuilder("# Footprint benchmark\n\n");
            md.append(String.format(Locale.ROOT, "%d shards, %d checkouts/s, %d cores; started %s.%n%n", options.shards(), options.rate(),
                    cores, startedAt));
            md.append("| target | wanted | measured | met |\n|---|---|---|---|\n");
            targets.forEach(t -> md.append("| ").append(t.name()).append(" | ").append(t.target()).append(" | ").append(t.measured())
                    .append(" | ").append(t.met() ? "yes" : "**NO**").append(" |\n"));
            md.append(String.format(Locale.ROOT, "%n## (a) Start-up: lab up until every coordinator sees every DC healthy%n%n"
                    + "%.1f s of wall time, %.1f CPU seconds.%n%n", startup.wallSeconds(), startup.cpuSeconds()));
            md.append(startup.footprint().markdown());
            md.append(String.format(Locale.ROOT, "%n## Warm-up%n%nLoad to every DC in turn until checkout latency was steady: %s after %.0f s "
                    + "(steady p99 %.1f ms).%n", warmUp.steady() ? "steady" : "NOT steady", warmUp.seconds(), warmUp.steadyP99Ms()));
            md.append(String.format(Locale.ROOT, "%n## (b) Idle, %.0f s, no load%n%n", idle.footprint().wallSeconds()));
            md.append(idle.footprint().markdown());
            md.append(String.format(Locale.ROOT, "%n## (c) Steady load, %d checkouts/s through DNS, %.0f s%n%n", load.ratePerSecond(),
                    load.footprint().wallSeconds()));
            md.append(load.footprint().markdown());
            Stalls s = load.stallMs();
            md.append(String.format(Locale.ROOT, "%nNo-retry pooled write probe, one per shard every %d ms: %d writes, %d failed; "
                            + "stall (gap minus interval) p50 %.1f / p99 %.1f / max %.1f ms; longest per shard %s.%n", s.probeIntervalMs(),
                    s.writes(), s.failedWrites(), s.p50(), s.p99(), s.max(), s.maxPerShard()));
            md.append(String.format(Locale.ROOT, "Checkout latency p50 %.1f / p99 %.1f / max %.1f ms.%n", load.latencyMs().p50Ms(),
                    load.latencyMs().p99Ms(), load.latencyMs().maxMs()));
            md.append(String.format(Locale.ROOT, "%nCheckouts of the whole run (warm-up included): %d attempted, %d acknowledged, %d failed, "
                    + "%d lost, %d duplicated%s.%n", checkouts.attempted(), checkouts.acknowledged(), checkouts.failed(), checkouts.lost(),
                    checkouts.duplicated(), checkouts.failureReasons().isEmpty() ? "" : " " + checkouts.failureReasons()));
            checkouts.auditProblems().forEach(p -> md.append("- audit: ").append(p).append('\n'));
            return md.toString();
        }
    }

    private final Path labDir;
    private final Options options;
    private final PrintStream log;

    FootprintBench(Path labDir, Options options, PrintStream log) {
        this.labDir = labDir;
        this.options = options;
        this.log = log;
    }

    /** Lab processes as footprint entries, their kind from their name. */
    static List<Tracked> tracked(List<LabProcess> processes) {
        return processes.stream().map(p -> Tracked.labProcess(p.name(), p.pid())).toList();
    }

    /** Brings a fresh lab up, measures, and leaves the lab running for the caller to take down. */
    Report run(java.util.function.Consumer<Lab> started) throws InterruptedException {
        String startedAt = Instant.now().toString();
        Lab.attach(labDir).ifPresent(Lab::down);
        log.println("[startup] lab up, then a coordinator and an agent per DC, until every coordinator sees every DC healthy");
        FootprintSampler startupSampler = FootprintSampler.startCountingThisJvmFromItsStart(
                () -> tracked(Lab.recordedProcesses(labDir)), "baton CLI");
        long t0 = System.nanoTime();
        Lab lab = Lab.up(new LabSpec(labDir, List.of("east", "west"), options.shards(), 0, true));
        started.accept(lab);
        LabServices.start(lab, Duration.ofSeconds(120));
        Footprint startupUse = startupSampler.stop();
        Startup startup = new Startup(startupUse.cpuSeconds(), (System.nanoTime() - t0) / 1e9, startupUse);
        log.printf(Locale.ROOT, "[startup] %.1f s, %.1f CPU seconds%n", startup.wallSeconds(), startup.cpuSeconds());

        Topology topology = lab.topology();
        Supplier<List<Tracked>> processes = () -> tracked(lab.processes());
        List<AcknowledgedOrder> orders = new ArrayList<>();
        List<LoadResult> loads = new ArrayList<>();

        LoadOptions loadOptions = LoadOptions.defaults().withRate(options.rate()).withRampUp(Duration.ofSeconds(5));
        WarmUp warmUp;
        try (LoadGenerator generator = new LoadGenerator(topology, loadOptions)) {
            generator.everyDc(true);
            generator.start();
            warmUp = generator.awaitSteady(options.warmupLimit());
            loads.add(generator.stop());
        }
        log.printf(Locale.ROOT, "[warm-up] %s after %.0f s (steady p99 %.1f ms)%n", warmUp.steady() ? "steady" : "NOT steady",
                warmUp.seconds(), warmUp.steadyP99Ms());
        Thread.sleep(5_000); // the last checkouts' work (replication, GC) out of the idle window

        log.printf("[idle] %d s with no load%n", options.idle().toSeconds());
        FootprintSampler idleSampler = FootprintSampler.start(processes, "load generator");
        Thread.sleep(options.idle());
        Footprint idleUse = idleSampler.stop();
        Idle idle = new Idle(idleUse.maxCpuPct("agent"), idleUse.maxCpuPct("coordinator"), idleUse.totalCores(), idleUse);
        log.printf(Locale.ROOT, "[idle] agent %.2f %%, coordinator %.2f %% of a core (busiest), all %.3f cores%n", idle.agentCpuPct(),
                idle.coordinatorCpuPct(), idle.totalCores());

        log.printf("[load] %d checkouts/s through DNS and a pooled probe per shard every %d ms; measuring %d s once latency is steady%n",
                options.rate(), options.probeInterval().toMillis(), options.load().toSeconds());
        List<WriteProbe> probes = probes(topology);
        Load load;
        try (LoadGenerator generator = new LoadGenerator(topology, loadOptions.withRampUp(Duration.ofSeconds(2)))) {
            generator.start();
            probes.forEach(WriteProbe::start);
            WarmUp steady = generator.awaitSteady(options.warmupLimit());
            FootprintSampler loadSampler = FootprintSampler.start(processes, "load generator");
            long from = System.nanoTime();
            Thread.sleep(options.load());
            long to = System.nanoTime();
            Footprint loadUse = loadSampler.stop();
            LoadResult result = generator.stop();
            loads.add(result);
            List<ProbeResult> probed = new ArrayList<>();
            for (WriteProbe p : probes) probed.add(p.stop());
            load = new Load(options.rate(), loadUse.totalCores(), stalls(probed, from, to), result.latencyMs(), steady, loadUse);
        } finally {
            for (WriteProbe p : probes) p.close();
        }
        log.printf(Locale.ROOT, "[load] all %.3f cores; stall p99 %.1f ms; auditing...%n", load.totalCores(), load.stallMs().p99());

        loads.forEach(l -> orders.addAll(l.orders()));
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(20)).check(orders);
        Checkouts checkouts = checkouts(loads, audit);
        List<Target> targets = targets(startup, warmUp, idle, load, checkouts);
        return new Report(options, startedAt, Runtime.getRuntime().availableProcessors(), startup, warmUp, idle, load, checkouts,
                targets);
    }

    private List<WriteProbe> probes(Topology topology) {
        List<WriteProbe> probes = new ArrayList<>();
        for (Shard shard : topology.shards()) {
            // Through the writer frontend of the DC holding the shard's primary, as the checkout app of that DC writes.
            String dc = shard.recordedPrimary().orElseThrow().dc();
            Datacenter d = topology.datacenter(dc).orElseThrow();
            ShardFrontends frontends = d.frontendsOf(shard.name()).orElseThrow();
            probes.add(new WriteProbe(shard.name(), frontends.writer(), topology.credentials(), options.probeInterval(),
                    WriteProbe.Mode.POOLED));
        }
        return probes;
    }

    /** Stalls of the committed writes that ended inside [from, to]. */
    Stalls stalls(List<ProbeResult> probed, long from, long to) {
        long interval = options.probeInterval().toNanos();
        List<Double> all = new ArrayList<>();
        Map<String, Double> maxPerShard = new TreeMap<>();
        long writes = 0;
        long failed = 0;
        for (ProbeResult r : probed) {
            long previous = -1;
            double max = 0;
            for (ProbeAttempt a : r.attempts()) {
                if (a.endNanos() < from || a.endNanos() > to) continue;
                writes++;
                if (!a.ok()) {
                    failed++;
                    continue;
                }
                if (previous >= 0) {
                    double stall = Math.max(0, a.endNanos() - previous - interval) / 1e6;
                    all.add(stall);
                    max = Math.max(max, stall);
                }
                previous = a.endNanos();
            }
            maxPerShard.put(r.shard(), Math.round(max * 10) / 10.0);
        }
        double[] v = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Stalls((int) options.probeInterval().toMillis(), writes, failed, rank(v, 0.5), rank(v, 0.99),
                v.length == 0 ? 0 : v[v.length - 1], maxPerShard);
    }

    private static double rank(double[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return Math.round(sorted[Math.max(0, Math.min(sorted.length - 1, i))] * 10) / 10.0;
    }

    private static Checkouts checkouts(List<LoadResult> loads, AuditResult audit) {
        Map<String, Long> reasons = new TreeMap<>();
        loads.forEach(l -> l.failureReasons().forEach((why, n) -> reasons.merge(why, n, Long::sum)));
        List<String> problems = new ArrayList<>(audit.lagging().stream().map(l -> "lagging: " + l).toList());
        problems.addAll(audit.problems());
        return new Checkouts(loads.stream().mapToLong(LoadResult::attempted).sum(), loads.stream().mapToLong(LoadResult::acknowledged).sum(),
                loads.stream().mapToLong(LoadResult::failed).sum(), audit.lostOrders(), audit.duplicated().size(), reasons, problems);
    }

    private static List<Target> targets(Startup startup, WarmUp warmUp, Idle idle, Load load, Checkouts checkouts) {
        List<Target> targets = new ArrayList<>();
        targets.add(new Target("idle agent, busiest, % of a core", "<= " + IDLE_AGENT_PCT, fmt(idle.agentCpuPct()),
                idle.agentCpuPct() <= IDLE_AGENT_PCT));
        targets.add(new Target("idle coordinator, busiest, % of a core", "<= " + IDLE_COORDINATOR_PCT, fmt(idle.coordinatorCpuPct()),
                idle.coordinatorCpuPct() <= IDLE_COORDINATOR_PCT));
        targets.add(new Target("whole lab + load generator under load, cores", "<= " + LOAD_CORES,
                String.format(Locale.ROOT, "%.3f", load.totalCores()), load.totalCores() <= LOAD_CORES));
        targets.add(new Target("pooled probe stall p99, ms", "<= " + STALL_P99_MS, fmt(load.stallMs().p99()),
                load.stallMs().p99() <= STALL_P99_MS));
        if (!Double.isNaN(STARTUP_CPU_SECONDS_BEFORE)) {
            double wanted = STARTUP_CPU_SECONDS_BEFORE / 2;
            targets.add(new Target("start-up CPU seconds (half of " + fmt(STARTUP_CPU_SECONDS_BEFORE) + " before)", "<= " + fmt(wanted),
                    fmt(startup.cpuSeconds()), startup.cpuSeconds() <= wanted));
        }
        targets.add(new Target("warm-up reaches steady latency", "yes", warmUp.steady() + " after " + fmt(warmUp.seconds()) + " s",
                warmUp.steady()));
        targets.add(new Target("load phase reaches steady latency", "yes", load.steadyAfter().steady() + " after "
                + fmt(load.steadyAfter().seconds()) + " s", load.steadyAfter().steady()));
        targets.add(new Target("checkouts failed / lost / duplicated (whole run)", "0 / 0 / 0",
                checkouts.failed() + " / " + checkouts.lost() + " / " + checkouts.duplicated()
                        + (checkouts.auditProblems().isEmpty() ? "" : " (audit incomplete)"), checkouts.clean()));
        targets.add(new Target("probe writes failed", "0", Long.toString(load.stallMs().failedWrites()), load.stallMs().failedWrites() == 0));
        return targets;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
