package dev.baton.chaos.bench;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.baton.chaos.workload.load.WarmUp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The switchover benchmark's result. Baton's own phase is unwrapped at the top level
 * ({@code checkouts.failed}, {@code writePauseMs.p50}, ...), the naive baseline sits under
 * {@code baseline} with the same fields, so other tools read both the same way. The warm-up's
 * checkouts (load before any measurement) are audited and reported on their own, and {@code warmedUp}
 * says how long it took until checkout latency was steady, and whether it was (null without a warm-up).
 * {@code floor} is the same load with nothing moved, only each persistent probe's session ended ({@link SessionCut}):
 * the least pause any method that fences the primary can give that probe (null when not measured).
 */
public record BenchReport(Config config, Checkouts warmup, WarmUp warmedUp, Summary backgroundStallMs, @JsonUnwrapped PhaseReport baton,
                          PhaseReport baseline, PhaseReport floor, Ratios ratio, ProbeFigures probe, Idle idle, List<Target> targets) {

    /**
     * Baton's phase as each kind of client saw it: failed writes per shard switchover of the no-retry probe that opens a
     * new connection per write, and of the one that keeps its connection.
     */
    public record ProbeFigures(double newConnectionFailedPerSwitchover, double persistentConnectionFailedPerSwitchover) {
        static ProbeFigures of(PhaseReport baton) {
            return new ProbeFigures(baton.probeFailedWrites().perSwitchover(), baton.pooledProbeFailedWrites().perSwitchover());
        }
    }

    /**
     * Switchovers on the same lab with no checkout load, after the loaded phases.
     *
     * @param writePauseMs         the engine's write pause, hold to release: what a client connecting during it waits
     * @param clientPauseMs        the longest stretch without a commit of the persistent-connection probe, per shard
     * @param baselineEnginePauseMs the naive baseline's engine figure (read-only to flip), on the same idle lab
     * @param baselineClientPauseMs the naive baseline's persistent-connection pause
     * @param floorClientPauseMs   the same probe's pause when its session is only ended and nothing moves
     *                             ({@link SessionCut}): the least any method that fences the primary can give it
     * @param phases               Baton's, then the baseline's (when run), then the floor's (when run)
     */
    public record Idle(int switchovers, Summary writePauseMs, Summary clientPauseMs, ProbeWrites newConnectionFailed,
                       ProbeWrites persistentConnectionFailed, Summary baselineEnginePauseMs, Summary baselineClientPauseMs,
                       Summary floorClientPauseMs, List<PhaseReport> phases) {
        static Idle of(PhaseReport baton, PhaseReport baseline, PhaseReport floor) {
            List<PhaseReport> phases = new ArrayList<>(List.of(baton));
            if (baseline != null) phases.add(baseline);
            if (floor != null) phases.add(floor);
            return new Idle(baton.switchovers(), baton.enginePauseMs(), baton.writePauseMs(), baton.probeFailedWrites(),
                    baton.pooledProbeFailedWrites(), baseline == null ? null : baseline.enginePauseMs(),
                    baseline == null ? null : baseline.writePauseMs(), floor == null ? null : floor.writePauseMs(), List.copyOf(phases));
        }

        /** How the floor compares, for a target's measured figure; empty without a floor. */
        String besideFloor() {
            return floorClientPauseMs == null ? "" : " (floor, a bare session cut on the idle lab: " + Summary.fmt(floorClientPauseMs.p50()) + " ms)";
        }
    }

    public record Config(int shards, int ratePerSecond, int rounds, List<String> dcs, String startedAt,
                         int cores, double quietWindowSeconds, int probeIntervalMs, int freshProbeIntervalMs) {
    }

    /**
     * One way of switching (Baton's, or the baseline's), measured under its own checkout load.
     *
     * @param writePauseMs         per shard and switchover: the longest stretch without a commit of the pooled probe that
     *                             began in the switchover's window, counted whole however long after the window it ended
     * @param probeFailedWrites    writes of the new-connection, no-retry probe that failed, billed to a switchover
     * @param pooledProbeFailedWrites writes of the pooled, no-retry probe that failed (the fence ends its session)
     * @param probeErrors          the new-connection probe's errors billed to switchovers, by kind
     * @param outsideWindows       the probes' failed writes that overlapped no switchover's window
     */
    public record PhaseReport(String name, Checkouts checkouts, Latency latencyMs, Summary writePauseMs,
                              Summary enginePauseMs, ProbeWrites probeFailedWrites,
                              ProbeWrites pooledProbeFailedWrites, Map<String, Long> probeErrors, OutsideWindows outsideWindows,
                              Summary switchoverWallMs, int switchovers, int notSwitched, List<Round> rounds) {
    }

    /**
     * @param staleConnectionRetries checkouts the load generator sent a second time, same idempotency key, because their
     *                               kept-alive connection closed before any byte of the reply
     * @param auditProblems what kept the audit from checking every order (a lagging replica, no primary)
     */
    public record Checkouts(long attempted, long acknowledged, long failed, long lost, long duplicated,
                            Map<String, Long> failureReasons, long staleConnectionRetries, List<String> auditProblems) {
        /** A phase without checkout load. */
        static Checkouts none() {
            return new Checkouts(0, 0, 0, 0, 0, Map.of(), 0, List.of());
        }

        /** Nothing lost or stored twice, and the audit could check every order. */
        boolean ordersIntact() {
            return lost == 0 && duplicated == 0 && auditProblems.isEmpty();
        }

        String orders() {
            return lost + " / " + duplicated + (auditProblems.isEmpty() ? "" : " + unchecked: " + auditProblems);
        }
    }

    /**
     * The probes' failed writes of a phase that overlapped no switchover's window (the quiet window, the settle after
     * each switchover): counted, never dropped.
     *
     * @param errors by probe and kind ({@code new conn: ...}, {@code pooled: ...})
     */
    public record OutsideWindows(long probeFailedWrites, long pooledProbeFailedWrites, Map<String, Long> errors) {
    }

    public record Latency(double p50, double p99, double max) {
    }

    /** Failed writes of a no-retry probe, in all and per shard switchover. */
    public record ProbeWrites(long total, double perSwitchover, long maxPerSwitchover) {
    }

    /**
     * One round's leg: every shard moved from one DC to another.
     *
     * @param wallMs         until every shard switched, the waits of {@code catchUpRetries} included
     * @param catchUpRetries times shards refused because their candidate was still catching up were asked again
     */
    public record Round(int round, String from, String to, long wallMs, int catchUpRetries, List<ShardResult> shards) {
    }

    public record ShardResult(String shard, boolean switched, String detail, double pauseMs, long probeFailures,
                              long pooledProbeFailures, double enginePauseMs, List<String> probeErrors) {
    }

    /** Baseline divided by Baton: above 1 means Baton is better by that factor. */
    public record Ratios(double writePauseP50, double writePauseMax, double switchoverWallMax,
                         double probeFailedWrites) {
    }

    public record Target(String name, String target, String measured, boolean met) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static Ratios ratios(PhaseReport baton, PhaseReport baseline) {
        if (baseline == null) return null;
        return new Ratios(
                Summary.ratio(baseline.writePauseMs().p50(), baton.writePauseMs().p50()),
                Summary.ratio(baseline.writePauseMs().max(), baton.writePauseMs().max()),
                Summary.ratio(baseline.switchoverWallMs().max(), baton.switchoverWallMs().max()),
                Summary.ratio(baseline.probeFailedWrites().total(), baton.probeFailedWrites().total()));
    }

    /**
     * The targets for this 2-core machine, judged on Baton's phase; and, whatever phase they were in (the
     * warm-up and the baseline's included), no order lost or stored twice.
     */
    static List<Target> judge(Checkouts warmup, PhaseReport p, PhaseReport baseline, PhaseReport floor, Idle idle, int shards) {
        List<Target> t = new ArrayList<>();
        t.add(new Target("failed checkouts", "0", "" + p.checkouts().failed(), p.checkouts().failed() == 0));
        t.add(new Target("lost orders (audit complete)", "0", p.checkouts().lost()
                + (p.checkouts().auditProblems().isEmpty() ? "" : " + unchecked: " + p.checkouts().auditProblems()),
                p.checkouts().lost() == 0 && p.checkouts().auditProblems().isEmpty()));
        t.add(new Target("duplicated orders", "0", "" + p.checkouts().duplicated(), p.checkouts().duplicated() == 0));
        if (warmup != null) {
            t.add(new Target("warm-up: orders lost / duplicated (audit complete)", "0 / 0", warmup.orders(), warmup.ordersIntact()));
        }
        if (baseline != null) {
            t.add(new Target("baseline phase: orders lost / duplicated (audit complete)", "0 / 0", baseline.checkouts().orders(),
                    baseline.checkouts().ordersIntact()));
        }
        t.add(new Target("write pause per shard, p50", "<= 85 ms", Summary.fmt(p.writePauseMs().p50()) + " ms",
                p.writePauseMs().p50() <= 85));
        t.add(new Target("write pause per shard, max", "<= 500 ms", Summary.fmt(p.writePauseMs().max()) + " ms",
                p.writePauseMs().max() <= 500));
        t.add(new Target("all " + shards + " shards switched, wall max", "<= 1500 ms",
                Summary.fmt(p.switchoverWallMs().max()) + " ms", p.switchoverWallMs().max() <= 1500));
        if (baseline != null) {
            // Issue 11: under load, half the naive baseline's pause or better.
            t.add(new Target("write pause per shard, p50, vs the naive baseline's (" + Summary.fmt(baseline.writePauseMs().p50()) + " ms)",
                    "<= 0.5 x", Summary.fmt(p.writePauseMs().p50()) + " ms" + (floor == null ? ""
                            : " (floor, a bare session cut under the same load: " + Summary.fmt(floor.writePauseMs().p50()) + " ms)"),
                    p.writePauseMs().p50() <= 0.5 * baseline.writePauseMs().p50()));
        }
        t.add(new Target("failed no-retry persistent-connection probe writes per switchover", "<= 1",
                Summary.fmt(p.pooledProbeFailedWrites().perSwitchover()), p.pooledProbeFailedWrites().perSwitchover() <= 1));
        if (idle != null) {
            t.add(new Target("idle lab: engine write pause (hold to release), p50", "<= 50 ms", Summary.fmt(idle.writePauseMs().p50()) + " ms",
                    idle.writePauseMs().p50() <= 50));
            t.add(new Target("idle lab: engine write pause (hold to release), max", "<= 150 ms", Summary.fmt(idle.writePauseMs().max()) + " ms",
                    idle.writePauseMs().max() <= 150));
            if (idle.baselineClientPauseMs() != null) {
                t.add(new Target("idle lab: persistent-connection pause p50, vs the naive baseline's ("
                        + Summary.fmt(idle.baselineClientPauseMs().p50()) + " ms)", "<=",
                        Summary.fmt(idle.clientPauseMs().p50()) + " ms" + idle.besideFloor(),
                        idle.clientPauseMs().p50() <= idle.baselineClientPauseMs().p50()));
            }
            t.add(new Target("idle lab: failed no-retry new-connection probe writes", "0", "" + idle.newConnectionFailed().total(),
                    idle.newConnectionFailed().total() == 0));
        }
        t.add(new Target("failed no-retry new-connection probe writes per switchover", "0",
                Summary.fmt(p.probeFailedWrites().perSwitchover()), p.probeFailedWrites().total() == 0));
        t.add(new Target("every switchover completed", "all", (p.switchovers() - p.notSwitched()) + "/" + p.switchovers(),
                p.notSwitched() == 0));
        OutsideWindows o = p.outsideWindows();
        t.add(new Target("failed no-retry probe writes outside every switchover window, new conn / pooled", "0 / 0",
                o.probeFailedWrites() + " / " + o.pooledProbeFailedWrites(),
                o.probeFailedWrites() == 0 && o.pooledProbeFailedWrites() == 0));
        return t;
    }

    /** Every target printed held: what the bench's exit code says. */
    public boolean ok() {
        return targets.stream().allMatch(Target::met);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Switchover benchmark\n\n");
        md.append("%d shards, %d checkouts/s, %d rounds (each: every shard %s and back), DCs %s, %d cores, started %s.\n\n"
                .formatted(config.shards(), config.ratePerSecond(), config.rounds(),
                        String.join("→", config.dcs()), config.dcs(), config.cores(), config.startedAt()));
        md.append("Probes per shard, no retry: a pooled connection writing every %d ms (its longest stretch without a commit that began in a switchover's window, counted whole, is the write pause) and a new connection per write every %d ms (the shards take turns). A switchover's window runs from its start to 250 ms after it returned; a failed write that overlapped it is billed to it however late it ended, and every other failed write is counted as outside the windows.\n\n"
                .formatted(config.probeIntervalMs(), config.freshProbeIntervalMs()));
        md.append("Background stalls (longest gap between pooled probe writes in a %.0f s quiet window, per shard): %s ms.\n\n"
                .formatted(config.quietWindowSeconds(), backgroundStallMs));
        if (warmup != null) {
            md.append("Warm-up (load to every DC in turn, no switchover): %s; %d attempted, %d acknowledged, %d failed, %d lost, %d duplicated, %d sent a second time.\n\n"
                    .formatted(warmedUp == null ? "?" : WarmUps.describe(warmedUp, Duration.ZERO),
                            warmup.attempted(), warmup.acknowledged(), warmup.failed(), warmup.lost(), warmup.duplicated(),
                            warmup.staleConnectionRetries()));
        }
        md.append("| measure | Baton | baseline (naive) | ratio |\n|---|---|---|---|\n");
        row(md, "checkouts attempted", "" + baton.checkouts().attempted(), b(p -> "" + p.checkouts().attempted()), "");
        row(md, "checkouts acknowledged", "" + baton.checkouts().acknowledged(), b(p -> "" + p.checkouts().acknowledged()), "");
        row(md, "checkouts failed", "" + baton.checkouts().failed(), b(p -> "" + p.checkouts().failed()), "");
        row(md, "checkouts sent a second time (kept-alive connection closed before any reply byte; same idempotency key)",
                "" + baton.checkouts().staleConnectionRetries(), b(p -> "" + p.checkouts().staleConnectionRetries()), "");
        row(md, "orders lost / duplicated", baton.checkouts().lost() + " / " + baton.checkouts().duplicated(),
                b(p -> p.checkouts().lost() + " / " + p.checkouts().duplicated()), "");
        row(md, "checkout latency p50 / p99 / max (ms)", lat(baton.latencyMs()), b(p -> lat(p.latencyMs())), "");
        row(md, "write pause per shard p50 (ms)", Summary.fmt(baton.writePauseMs().p50()),
                b(p -> Summary.fmt(p.writePauseMs().p50())), ratio == null ? "" : Summary.fmt(ratio.writePauseP50()) + "×");
        row(md, "write pause per shard max (ms)", Summary.fmt(baton.writePauseMs().max()),
                b(p -> Summary.fmt(p.writePauseMs().max())), ratio == null ? "" : Summary.fmt(ratio.writePauseMax()) + "×");
        row(md, "engine-measured pause p50 / max (ms)", Summary.fmt(baton.enginePauseMs().p50()) + " / " + Summary.fmt(baton.enginePauseMs().max()),
                b(p -> Summary.fmt(p.enginePauseMs().p50()) + " / " + Summary.fmt(p.enginePauseMs().max())), "");
        row(md, "failed no-retry writes, pooled-connection probe (total; per switchover)",
                baton.pooledProbeFailedWrites().total() + "; " + Summary.fmt(baton.pooledProbeFailedWrites().perSwitchover()),
                b(p -> p.pooledProbeFailedWrites().total() + "; " + Summary.fmt(p.pooledProbeFailedWrites().perSwitchover())), "");
        row(md, "failed no-retry writes, new-connection probe (total; per switchover)",
                baton.probeFailedWrites().total() + "; " + Summary.fmt(baton.probeFailedWrites().perSwitchover()),
                b(p -> p.probeFailedWrites().total() + "; " + Summary.fmt(p.probeFailedWrites().perSwitchover())), "");
        row(md, "all-shards switchover wall p50 / max (ms)",
                Summary.fmt(baton.switchoverWallMs().p50()) + " / " + Summary.fmt(baton.switchoverWallMs().max()),
                b(p -> Summary.fmt(p.switchoverWallMs().p50()) + " / " + Summary.fmt(p.switchoverWallMs().max())),
                ratio == null ? "" : Summary.fmt(ratio.switchoverWallMax()) + "×");
        row(md, "failed no-retry writes outside every switchover window (new conn / pooled)",
                baton.outsideWindows().probeFailedWrites() + " / " + baton.outsideWindows().pooledProbeFailedWrites(),
                b(p -> p.outsideWindows().probeFailedWrites() + " / " + p.outsideWindows().pooledProbeFailedWrites()), "");
        row(md, "shard switchovers (not completed)", baton.switchovers() + " (" + baton.notSwitched() + ")",
                b(p -> p.switchovers() + " (" + p.notSwitched() + ")"), "");
        if (floor != null) {
            md.append("\nThe floor, under the same load: nothing moved, only each persistent probe's session ended. The probe loses "
                    + "the write that meets its dead session and connects again at its next tick, so this is the least pause any "
                    + "method that fences the primary can give it: p50 %s / max %s ms".formatted(Summary.fmt(floor.writePauseMs().p50()),
                    Summary.fmt(floor.writePauseMs().max())));
            if (baseline != null) {
                double half = 0.5 * baseline.writePauseMs().p50();
                md.append("; half the naive baseline's p50 is %s ms, %s it".formatted(Summary.fmt(half),
                        half < floor.writePauseMs().p50() ? "below" : "not below"));
            }
            md.append(".\n");
        }
        if (!baton.probeErrors().isEmpty()) {
            md.append("\nNew-connection probe errors billed to switchovers (Baton): ").append(baton.probeErrors()).append("\n");
        }
        if (!baton.outsideWindows().errors().isEmpty()) {
            md.append("\nProbe errors outside every switchover window (Baton): ").append(baton.outsideWindows().errors()).append("\n");
        }
        if (idle != null) {
            md.append("\n## Idle lab (no checkout load, after the loaded phases, %d shard switchovers by each method)\n\n".formatted(idle.switchovers()))
                    .append("| measure | Baton | naive baseline | floor: session cut only |\n|---|---|---|---|\n");
            md.append("| engine write pause p50 / max (ms) | %s | %s | |\n".formatted(pm(idle.writePauseMs()), pm(idle.baselineEnginePauseMs())));
            md.append("| persistent-connection pause p50 / max (ms) | %s | %s | %s |\n".formatted(pm(idle.clientPauseMs()),
                    pm(idle.baselineClientPauseMs()), pm(idle.floorClientPauseMs())));
            md.append("| failed no-retry writes, new conn / persistent | %s | %s | %s |\n".formatted(failed(idle.phases().getFirst()),
                    idle.baselineClientPauseMs() == null ? "" : failed(idle.phases().get(1)),
                    idle.floorClientPauseMs() == null ? "" : failed(idle.phases().getLast())));
        }
        md.append("\n## Targets (Baton)\n\n| target | wanted | measured | met |\n|---|---|---|---|\n");
        for (Target t : targets) {
            md.append("| %s | %s | %s | %s |\n".formatted(t.name(), t.target(), t.measured(), t.met() ? "yes" : "**no**"));
        }
        rounds(md, baton);
        if (baseline != null) rounds(md, baseline);
        if (floor != null) rounds(md, floor);
        if (idle != null) idle.phases().forEach(p -> rounds(md, p));
        return md.toString();
    }

    private static String failed(PhaseReport p) {
        return p.probeFailedWrites().total() + " / " + p.pooledProbeFailedWrites().total();
    }

    private static String pm(Summary s) {
        return s == null ? "" : Summary.fmt(s.p50()) + " / " + Summary.fmt(s.max());
    }

    private static void rounds(StringBuilder md, PhaseReport p) {
        md.append("\n## Rounds: ").append(p.name()).append("\n\n| round | direction | wall (ms) | asked again (catching up) | pause per shard (ms) | failed probe writes (new conn / pooled) | not switched |\n|---|---|---|---|---|---|---|\n");
        for (Round r : p.rounds()) {
            Summary pause = Summary.of(r.shards().stream().map(ShardResult::pauseMs).toList());
            long failures = r.shards().stream().mapToLong(ShardResult::probeFailures).sum();
            long pooledFailures = r.shards().stream().mapToLong(ShardResult::pooledProbeFailures).sum();
            String notSwitched = String.join(", ", r.shards().stream().filter(s -> !s.switched())
                    .map(s -> s.shard() + ": " + s.detail()).toList());
            md.append("| %d | %s→%s | %d | %d | p50 %s, max %s | %d / %d | %s |\n".formatted(r.round(), r.from(), r.to(), r.wallMs(),
                    r.catchUpRetries(), Summary.fmt(pause.p50()), Summary.fmt(pause.max()), failures, pooledFailures, notSwitched));
        }
    }

    private String b(java.util.function.Function<PhaseReport, String> f) {
        return baseline == null ? "—" : f.apply(baseline);
    }

    private static String lat(Latency l) {
        return Summary.fmt(l.p50()) + " / " + Summary.fmt(l.p99()) + " / " + Summary.fmt(l.max());
    }

    private static void row(StringBuilder md, String name, String ours, String theirs, String ratio) {
        md.append("| ").append(name).append(" | ").append(ours).append(" | ").append(theirs).append(" | ").append(ratio).append(" |\n");
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), toJson());
            Files.writeString(dir.resolve("report.md"), toMarkdown());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
    }
}
