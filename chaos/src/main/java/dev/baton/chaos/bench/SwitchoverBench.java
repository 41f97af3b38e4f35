package dev.baton.chaos.bench;

import dev.baton.chaos.bench.BenchReport.Checkouts;
import dev.baton.chaos.bench.BenchReport.Latency;
import dev.baton.chaos.bench.BenchReport.OutsideWindows;
import dev.baton.chaos.bench.BenchReport.PhaseReport;
import dev.baton.chaos.bench.BenchReport.ProbeWrites;
import dev.baton.chaos.bench.BenchReport.Round;
import dev.baton.chaos.bench.BenchReport.ShardResult;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.checkout.CheckoutApp;
import dev.baton.chaos.workload.checkout.CheckoutOptions;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.load.WarmUp;
import dev.baton.chaos.workload.probe.ProbeAttempt;
import dev.baton.chaos.workload.probe.ProbeResult;
import dev.baton.chaos.workload.probe.WriteProbe;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every shard switched from the first DC to the second and back, {@code rounds} times, under open-loop
 * checkout load, once Baton's way and once the naive baseline's way, each with its own load and audit.
 * A no-retry probe per shard (a new connection every 10 ms) measures each shard's write pause inside
 * each switchover's window, and the background stalls of a quiet window beside it.
 */
public final class SwitchoverBench {

    /**
     * @param settle              pause after each switchover, so held writes complete and replicas repoint
     * @param quietWindow         load without switchovers, to measure the machine's own stalls
     * @param startCheckoutApps   start a checkout app per DC in this JVM (when the lab runs none)
     * @param baselineRounds      rounds of the naive baseline (0: none)
     * @param warmup              load before anything is measured, so JIT compilation is not billed to the first round
     * @param idleRounds          rounds of each way with no checkout load, after the loaded phases (0: none): the pause a
     *                            client meets on an idle lab, where nothing but the switchover itself takes time
     */
    public record Options(int ratePerSecond, int rounds, int baselineRounds, Duration settle, Duration quietWindow,
                          Duration warmup, boolean startCheckoutApps, int idleRounds) {
        public Options(int ratePerSecond, int rounds, int baselineRounds, Duration settle, Duration quietWindow,
                       Duration warmup, boolean startCheckoutApps) {
            this(ratePerSecond, rounds, baselineRounds, settle, quietWindow, warmup, startCheckoutApps, 0);
        }

        public Options {
            if (idleRounds < 0) throw new IllegalArgumentException("idle rounds must be >= 0, got " + idleRounds);
            if (ratePerSecond < 1) throw new IllegalArgumentException("--rate must be at least 1, got " + ratePerSecond);
            if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            if (baselineRounds < 0) throw new IllegalArgumentException("baseline rounds must be >= 0, got " + baselineRounds);
        }
    }

    /**
     * A shard refused only because its candidate is still catching up from the previous leg is asked again after
     * this, at most {@link #CATCH_UP_RETRIES} times (about 10 s): it clears by itself, and is no failed switchover.
     */
    static final Duration CATCH_UP_PAUSE = Duration.ofMillis(500);
    static final int CATCH_UP_RETRIES = 20;

    /**
     * A switchover's window runs this long past its return, for the writes released last. A failed write that
     * overlaps a window is billed to it however late it ends; one that overlaps none is reported as outside.
     */
    private static final long WINDOW_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Topology topology;
    private final Options options;
    private final PrintStream log;
    private final List<String> shards;
    private final String home;
    private final String away;

    public SwitchoverBench(Topology topology, Options options, PrintStream log) {
        if (topology.datacenters().size() < 2) {
            throw new IllegalArgumentException("the switchover bench needs two datacenters, the topology has "
                    + topology.datacenterNames());
        }
        this.topology = topology;
        this.options = options;
        this.log = log;
        this.shards = topology.shards().stream().map(Shard::name).toList();
        this.home = topology.datacenters().get(0).name();
        this.away = topology.datacenters().get(1).name();
    }

    /** The probes of the phase running now, for {@link SessionCut} to find the sessions it ends. */
    private volatile Probes current;

    /**
     * Baton's phase, then the baseline's (null: none) under the same load, then the floor ({@link SessionCut}) under that
     * load; on the idle lab each again. The floor's phases run as many rounds as the idle ones.
     */
    public BenchReport run(ShardSwitcher baton, ShardSwitcher baseline) throws InterruptedException {
        String startedAt = Instant.now().toString();
        List<CheckoutApp> apps = new ArrayList<>();
        try {
            if (options.startCheckoutApps()) {
                for (Datacenter dc : topology.datacenters()) {
                    apps.add(CheckoutApp.start(topology, dc.name(), CheckoutOptions.defaults()));
                }
            }
            requireCheckoutApps();
            WarmUpPhase warmup = warmUp();
            Checkouts warmupCheckouts = warmup == null ? null : warmup.checkouts();
            Summary[] stalls = new Summary[1];
            PhaseReport ours = phase("baton", baton, options.rounds(), stalls, true);
            PhaseReport theirs = baseline == null || options.baselineRounds() == 0 ? null
                    : phase("baseline", baseline, options.baselineRounds(), null, true);
            SessionCut cut = new SessionCut(topology, shard -> current == null ? OptionalLong.empty()
                    : current.pooled().get(shard).pooledSessionId());
            PhaseReport floor = options.idleRounds() == 0 ? null : phase("floor", cut, options.idleRounds(), null, true);
            BenchReport.Idle idle = null;
            if (options.idleRounds() > 0) {
                PhaseReport idleOurs = phase("idle", baton, options.idleRounds(), null, false);
                PhaseReport idleTheirs = baseline == null ? null : phase("idle-baseline", baseline, options.idleRounds(), null, false);
                idle = BenchReport.Idle.of(idleOurs, idleTheirs, phase("idle-floor", cut, options.idleRounds(), null, false));
            }
            var config = new BenchReport.Config(shards.size(), options.ratePerSecond(), options.rounds(),
                    List.of(home, away), startedAt, Runtime.getRuntime().availableProcessors(),
                    options.quietWindow().toMillis() / 1000.0, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS * shards.size());
            return new BenchReport(config, warmupCheckouts, warmup == null ? null : warmup.warmedUp(), stalls[0], ours, theirs,
                    floor, BenchReport.ratios(ours, theirs), BenchReport.ProbeFigures.of(ours), idle,
                    BenchReport.judge(warmupCheckouts, ours, theirs, floor, idle, shards.size()));
        } finally {
            apps.forEach(CheckoutApp::close);
        }
    }

    /** One way of switching, {@code rounds} there and back, under checkout load or with none ({@code loaded} false). */
    private PhaseReport phase(String name, ShardSwitcher switcher, int rounds, Summary[] quietStalls, boolean loaded)
            throws InterruptedException {
        log.printf("[%s] %d shards, %d checkouts/s, %d rounds%n", name, shards.size(), loaded ? options.ratePerSecond() : 0, rounds);
        Probes probes = Probes.start(topology, shards);
        current = probes;
        LoadGenerator load = loaded ? new LoadGenerator(topology, LoadOptions.defaults().withRate(options.ratePerSecond())) : null;
        List<Switched> switched = new ArrayList<>();
        long quietFrom;
        long quietTo;
        LoadResult loadResult;
        Probed probed;
        try {
            if (load != null) load.start();
            quietFrom = System.nanoTime();
            Thread.sleep(options.quietWindow());
            quietTo = System.nanoTime();
            for (int round = 1; round <= rounds; round++) {
                for (String[] leg : new String[][]{{home, away}, {away, home}}) {
                    Switched s = switchOnce(switcher, round, leg[0], leg[1]);
                    switched.add(s);
                    log.printf("[%s] round %d %s→%s: wall %d ms%s%n", name, round, leg[0], leg[1], s.wallMs(),
                            s.outcomes().stream().allMatch(ShardSwitcher.Outcome::switched) ? "" : ", NOT ALL SWITCHED");
                }
            }
        } finally {
            loadResult = load == null ? null : load.stop();
            probed = probes.stop();
        }
        long resent = load == null ? 0 : load.staleConnectionRetries();
        // Every figure from the probes' complete results, taken once they stopped: a write still running when a
        // round ended (held, or waiting for a timeout) is in them, wherever it ended.
        if (quietStalls != null) {
            quietStalls[0] = Summary.of(probed.pooled().values().stream().map(p -> p.maxGapMs(quietFrom, quietTo)).toList());
            log.printf("[%s] background stalls in a %d s quiet window: %s ms%n", name, options.quietWindow().toSeconds(), quietStalls[0]);
        }
        List<Round> done = new ArrayList<>();
        for (int i = 0; i < switched.size(); i++) {
            Round r = round(switched, i, probed);
            done.add(r);
            Summary pause = Summary.of(r.shards().stream().map(ShardResult::pauseMs).toList());
            log.printf("[%s] round %d %s→%s: pause p50 %.0f max %.0f ms, failed probe writes %d new-conn / %d pooled%n", name,
                    r.round(), r.from(), r.to(), pause.p50(), pause.max(), r.shards().stream().mapToLong(ShardResult::probeFailures).sum(),
                    r.shards().stream().mapToLong(ShardResult::pooledProbeFailures).sum());
        }
        OutsideWindows outside = outside(switched, probed);
        if (outside.probeFailedWrites() + outside.pooledProbeFailedWrites() > 0) {
            log.printf("[%s] failed probe writes outside every switchover window: %d new-conn / %d pooled %s%n", name,
                    outside.probeFailedWrites(), outside.pooledProbeFailedWrites(), outside.errors());
        }
        Checkouts checkouts = Checkouts.none();
        Latency latency = new Latency(0, 0, 0);
        if (loadResult != null) {
            log.printf("[%s] load: %d attempted, %d acknowledged, %d failed, %d sent a second time; auditing...%n", name,
                    loadResult.attempted(), loadResult.acknowledged(), loadResult.failed(), resent);
            checkouts = checkouts(loadResult, resent, audit(name, loadResult));
            latency = new Latency(loadResult.latencyMs().p50Ms(), loadResult.latencyMs().p99Ms(), loadResult.latencyMs().maxMs());
        }

        List<ShardResult> all = done.stream().flatMap(r -> r.shards().stream()).toList();
        List<Long> walls = done.stream().map(Round::wallMs).toList();
        long failedProbes = all.stream().mapToLong(ShardResult::probeFailures).sum();
        long failedPooled = all.stream().mapToLong(ShardResult::pooledProbeFailures).sum();
        return new PhaseReport(name, checkouts, latency,
                Summary.of(all.stream().map(ShardResult::pauseMs).toList()),
                Summary.of(all.stream().filter(s -> s.enginePauseMs() >= 0).map(ShardResult::enginePauseMs).toList()),
                new ProbeWrites(failedProbes, all.isEmpty() ? 0 : failedProbes / (double) all.size(),
                        all.stream().mapToLong(ShardResult::probeFailures).max().orElse(0)),
                new ProbeWrites(failedPooled, all.isEmpty() ? 0 : failedPooled / (double) all.size(),
                        all.stream().mapToLong(ShardResult::pooledProbeFailures).max().orElse(0)),
                all.stream().flatMap(r -> r.probeErrors().stream()).collect(Collectors.groupingBy(
                        SwitchoverBench::errorKind, TreeMap::new, Collectors.counting())),
                outside, Summary.of(walls), all.size(), (int) all.stream().filter(s -> !s.switched()).count(), done);
    }

    /**
     * One switchAll call as it ran: from its start to its return, and what the switcher said of each shard. Its window
     * runs {@link #WINDOW_GRACE_NANOS} past the return, for the writes released last.
     */
    record Switched(int round, String from, String to, long startNanos, long endNanos, int catchUpRetries,
                    List<ShardSwitcher.Outcome> outcomes) {
        long windowEnd() {
            return endNanos + WINDOW_GRACE_NANOS;
        }

        long wallMs() {
            return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
        }

        boolean overlaps(ProbeAttempt a) {
            return a.startNanos() <= windowEnd() && a.endNanos() >= startNanos;
        }
    }

    /**
     * The switchover a failed write is billed to: the first whose window it overlapped (begun before the window
     * ended, ended after it began, however long after); -1 when it overlapped none.
     */
    static int windowOf(ProbeAttempt attempt, List<Switched> switched) {
        for (int i = 0; i < switched.size(); i++) {
            if (switched.get(i).overlaps(attempt)) return i;
        }
        return -1;
    }

    /** The {@code i}-th switchover's figures per shard: its pause counted whole, the failed writes billed to it. */
    private Round round(List<Switched> switched, int i, Probed probed) {
        Switched s = switched.get(i);
        List<ShardResult> results = new ArrayList<>();
        for (String shard : shards) {
            ProbeResult pooled = probed.pooled().get(shard);
            ProbeResult fresh = probed.fresh().get(shard);
            List<ProbeAttempt> freshFailed = fresh.failedOverlapping(s.startNanos(), s.windowEnd()).stream()
                    .filter(a -> windowOf(a, switched) == i).toList();
            long pooledFailed = pooled.failedOverlapping(s.startNanos(), s.windowEnd()).stream()
                    .filter(a -> windowOf(a, switched) == i).count();
            var outcome = s.outcomes().stream().filter(o -> o.shard().equals(shard)).findFirst();
            results.add(new ShardResult(shard, outcome.map(ShardSwitcher.Outcome::switched).orElse(false),
                    outcome.map(ShardSwitcher.Outcome::detail).orElse("no outcome reported"),
                    pooled.pauseMs(s.startNanos(), s.windowEnd()), freshFailed.size(), pooledFailed,
                    outcome.map(ShardSwitcher.Outcome::enginePauseMs).orElse(-1.0),
                    freshFailed.stream().map(ProbeAttempt::error).toList()));
        }
        return new Round(s.round(), s.from(), s.to(), s.wallMs(), s.catchUpRetries(), results);
    }

    /** The failed writes of the phase that overlapped no switchover's window: the quiet window's, the settles'. */
    private OutsideWindows outside(List<Switched> switched, Probed probed) {
        Map<String, Long> errors = new TreeMap<>();
        long fresh = 0;
        long pooled = 0;
        for (String shard : shards) {
            for (ProbeAttempt a : probed.fresh().get(shard).failed()) {
                if (windowOf(a, switched) >= 0) continue;
                fresh++;
                errors.merge("new conn: " + errorKind(a.error()), 1L, Long::sum);
            }
            for (ProbeAttempt a : probed.pooled().get(shard).failed()) {
                if (windowOf(a, switched) >= 0) continue;
                pooled++;
                errors.merge("pooled: " + errorKind(a.error()), 1L, Long::sum);
            }
        }
        return new OutsideWindows(fresh, pooled, errors);
    }

    /** The error's code and the first words of its message: enough to tell a refusal from a fence from a timeout. */
    static String errorKind(String error) {
        String oneLine = error.replaceAll("\\(conn=\\d+\\) ", "").replaceAll("\\s+", " ");
        return oneLine.length() <= 70 ? oneLine : oneLine.substring(0, 70) + "…";
    }

    /** The warm-up's audited checkouts, and how long until latency was steady. */
    private record WarmUpPhase(Checkouts checkouts, WarmUp warmedUp) {
    }

    /** Load with no switchover until latency is steady, audited like the rest: its orders count as much as any other. */
    private WarmUpPhase warmUp() throws InterruptedException {
        if (options.warmup().isZero()) return null;
        log.printf("[warm-up] load at %d checkouts/s to every DC in turn until latency is steady (at most %d s)%n", options.ratePerSecond(),
                options.warmup().toSeconds());
        LoadResult result;
        WarmUp warmedUp;
        long resent;
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(options.ratePerSecond()))) {
            generator.start();
            warmedUp = WarmUps.everyDc(generator, Duration.ZERO, options.warmup());
            result = generator.stop();
            resent = generator.staleConnectionRetries();
        }
        log.printf("[warm-up] %s%n", WarmUps.describe(warmedUp, Duration.ZERO));
        return new WarmUpPhase(checkouts(result, resent, audit("warm-up", result)), warmedUp);
    }

    private AuditResult audit(String name, LoadResult load) throws InterruptedException {
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(20)).check(load.orders());
        if (!audit.clean()) log.printf("[%s] audit: %s%n", name, audit);
        return audit;
    }

    private static Checkouts checkouts(LoadResult load, long resent, AuditResult audit) {
        return new Checkouts(load.attempted(), load.acknowledged(), load.failed(), audit.lostOrders(),
                audit.duplicated().size(), load.failureReasons(), resent,
                Stream.concat(audit.lagging().stream().map(l -> "lagging: " + l), audit.problems().stream()).toList());
    }

    private Switched switchOnce(ShardSwitcher switcher, int round, String from, String to) throws InterruptedException {
        long t0 = System.nanoTime();
        Map<String, ShardSwitcher.Outcome> byShard = new LinkedHashMap<>();
        switcher.switchAll(shards, to).forEach(o -> byShard.put(o.shard(), o));
        int catchUpRetries = 0;
        for (List<String> again = catchingUp(byShard); !again.isEmpty() && catchUpRetries < CATCH_UP_RETRIES; again = catchingUp(byShard)) {
            catchUpRetries++;
            log.printf("[round %d %s→%s] %s: candidate still catching up; asking again in %d ms (%d of at most %d)%n", round, from, to,
                    again, CATCH_UP_PAUSE.toMillis(), catchUpRetries, CATCH_UP_RETRIES);
            Thread.sleep(CATCH_UP_PAUSE);
            switcher.switchAll(again, to).forEach(o -> byShard.put(o.shard(), o));
        }
        long t1 = System.nanoTime();
        Thread.sleep(options.settle());
        return new Switched(round, from, to, t0, t1, catchUpRetries, List.copyOf(byShard.values()));
    }

    private static List<String> catchingUp(Map<String, ShardSwitcher.Outcome> outcomes) {
        return outcomes.values().stream().filter(ShardSwitcher.Outcome::catchingUp).map(ShardSwitcher.Outcome::shard).toList();
    }

    /**
     * Per shard, a pooled-connection probe every 10 ms (it measures the write pause) and a
     * new-connection probe; the new-connection probes take turns, one write every 10 ms in all,
     * because a new connection costs ≈3 ms of CPU and 100 a second per shard would swamp 2 cores.
     */
    private record Probes(Map<String, WriteProbe> pooled, Map<String, WriteProbe> fresh) {
        static Probes start(Topology topology, List<String> shards) throws InterruptedException {
            Datacenter dc = topology.datacenters().get(0);
            Map<String, WriteProbe> pooled = new LinkedHashMap<>();
            Map<String, WriteProbe> fresh = new LinkedHashMap<>();
            Duration freshInterval = Duration.ofMillis(PROBE_INTERVAL_MS * (long) shards.size());
            for (String shard : shards) {
                var writer = dc.frontendsOf(shard).orElseThrow().writer();
                pooled.put(shard, new WriteProbe(shard, writer, topology.credentials(),
                        Duration.ofMillis(PROBE_INTERVAL_MS), WriteProbe.Mode.POOLED).start());
                fresh.put(shard, new WriteProbe(shard, writer, topology.credentials(), freshInterval,
                        WriteProbe.Mode.FRESH).start());
                Thread.sleep(PROBE_INTERVAL_MS); // staggered: the fresh probes take turns
            }
            return new Probes(pooled, fresh);
        }

        /** Stops every probe, waiting for the writes in flight, and returns all their attempts. */
        Probed stop() throws InterruptedException {
            Map<String, ProbeResult> pooledResults = new LinkedHashMap<>();
            Map<String, ProbeResult> freshResults = new LinkedHashMap<>();
            for (var p : pooled.entrySet()) pooledResults.put(p.getKey(), p.getValue().stop());
            for (var p : fresh.entrySet()) freshResults.put(p.getKey(), p.getValue().stop());
            return new Probed(pooledResults, freshResults);
        }
    }

    /** Every attempt of every probe of a phase, per shard. */
    private record Probed(Map<String, ProbeResult> pooled, Map<String, ProbeResult> fresh) {
    }

    static final int PROBE_INTERVAL_MS = 10;

    /** Fails early, naming the DC, rather than measuring a run where every checkout fails. */
    private void requireCheckoutApps() {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            for (Datacenter dc : topology.datacenters()) {
                URI health = URI.create("http://" + dc.checkoutApp() + "/health");
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() != 200) throw new IllegalStateException(
                            "checkout app of " + dc.name() + " at " + dc.checkoutApp() + " answers " + r.statusCode());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("checkout app of " + dc.name() + " at " + dc.checkoutApp()
                            + " does not answer (" + e.getMessage() + ")", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }
}
