package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.chaos.bench.Summary;
import dev.baton.chaos.bench.WarmUps;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.LatencySummary;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.load.WarmUp;
import dev.baton.orchestrator.failover.FailoverReport;
import dev.baton.orchestrator.failover.Json;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Whole-DC evacuations there and back under checkout load, each one asked of the coordinator API
 * like an SRE would ({@code POST /failovers}, then polled to its end), with every acknowledged
 * order audited on every server at the end.
 */
final class EvacuationBench {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofMinutes(2);
    /** An evacuation is refused unless its target is HEALTHY; a DC just drained takes a few reports to be seen whole again. */
    private static final Duration TARGET_HEALTHY_TIMEOUT = Duration.ofSeconds(60);
    /** The health view may turn DEGRADED between our look and the request (hysteresis is 2 s): ask again this often. */
    static final int REFUSALS_ALLOWED = 3;

    /**
     * @param rounds       measured rounds, each an evacuation {@code from -> to} and the fail-back
     * @param warmupRounds rounds before the measured ones, under their own load and reported apart: the first
     *                     evacuation meets cold JVMs (coordinators, the target DC's checkout app, which took
     *                     no traffic before), and that is reported as what it is rather than mixed into the figures
     * @param settle       load with no evacuation after each one
     * @param warmup       the longest warm-up before the first evacuation of each phase: load sent to every DC in turn
     *                     until checkout latency is steady (see {@link WarmUps#everyDc}), after the ramp-up
     * @param rampUp       the load's rate rises to {@code rate} over this long first: at full rate at once, a lab of
     *                     cold JVMs on two cores fell behind and did not catch up
     */
    record Options(String from, String to, int rate, int rounds, int warmupRounds, Duration settle, Duration warmup, Duration rampUp) {
    }

    /**
     * One evacuation as the coordinator reported it, and the checkouts planned while it ran that failed.
     *
     * @param refused    times the coordinator refused to start it because its target was not HEALTHY (it moved
     *                   nothing then); the bench waits for HEALTHY and asks again, up to {@link #REFUSALS_ALLOWED}
     * @param catchingUp times it was refused because candidates were still catching up from the previous move, and
     *                   asked again shortly after (see {@link CatchingUp})
     */
    record Evacuation(int round, String id, String from, String to, String state, Double wallMs, Map<String, Double> writePauseMs,
                      long failedCheckouts, int refused, int catchingUp, FailoverReport report) {
        boolean succeeded() {
            return state.equals("SUCCEEDED");
        }
    }

    record Checkouts(long attempted, long acknowledged, long failed, long lost, long duplicated, Map<String, Long> failureReasons,
                     Map<String, List<String>> failureSamples, long staleConnectionRetries, List<String> auditProblems) {
        static Checkouts of(LoadResult load, long staleConnectionRetries, AuditResult audit) {
            return new Checkouts(load.attempted(), load.acknowledged(), load.failed(), audit.lostOrders(), audit.duplicated().size(),
                    load.failureReasons(), load.failureSamples(3), staleConnectionRetries,
                    Stream.concat(audit.lagging().stream().map(l -> "lagging: " + l), audit.problems().stream()).toList());
        }

        boolean clean() {
            return failed == 0 && ordersIntact();
        }

        /** No acknowledged order lost or stored twice, and the audit could check them all. */
        boolean ordersIntact() {
            return lost == 0 && duplicated == 0 && auditProblems.isEmpty();
        }
    }

    /**
     * A run of rounds under one load generator, audited on its own.
     *
     * @param warmedUp how its load's warm-up went: how long until latency was steady, and whether it was
     */
    record Phase(WarmUp warmedUp, Checkouts checkouts, LatencySummary latencyMs, Summary evacuationWallMs, Summary writePauseMs,
                 long evacuationsFailed, List<Evacuation> evacuations) {
        boolean ok() {
            return checkouts.clean() && evacuationsFailed == 0;
        }
    }

    /**
     * The measured phase's figures at the top level (the fields other tools read); the warm-up's
     * apart, null when there was none.
     */
    /** A printed target and whether it held. */
    record Target(String name, String target, String measured, boolean met) {
    }

    record Report(Options options, int shards, WarmUp warmedUp, Checkouts checkouts, LatencySummary latencyMs, Summary evacuationWallMs,
                  Summary writePauseMs, long evacuationsFailed, List<Evacuation> evacuations, Phase warmUp) {

        static Report of(Options options, int shards, Phase measured, Phase warmUp) {
            return new Report(options, shards, measured.warmedUp(), measured.checkouts(), measured.latencyMs(), measured.evacuationWallMs(),
                    measured.writePauseMs(), measured.evacuationsFailed(), measured.evacuations(), warmUp);
        }

        /** The slowest evacuation a measured round may take: DNS, load balancer, every shard, verification. */
        static final double WALL_TARGET_MS = 3000;

        /**
         * Every target the report prints, judged: the measured rounds clean and each evacuation within
         * {@link #WALL_TARGET_MS}, and no order lost or stored twice anywhere in the run, the warm-up rounds
         * included (their figures are apart, their orders are as real as any).
         */
        @com.fasterxml.jackson.annotation.JsonProperty("targets")
        List<Target> targets() {
            List<Target> targets = new ArrayList<>();
            targets.add(new Target("checkouts failed / lost / duplicated (measured rounds, audit complete)", "0 / 0 / 0",
                    checkouts.failed() + " / " + checkouts.lost() + " / " + checkouts.duplicated()
                            + (checkouts.auditProblems().isEmpty() ? "" : " (audit incomplete)"), checkouts.clean()));
            targets.add(new Target("evacuations not SUCCEEDED and verified", "0", Long.toString(evacuationsFailed), evacuationsFailed == 0));
            targets.add(new Target("evacuation wall, slowest of the measured rounds (ms)", "<= " + String.format(Locale.ROOT, "%.0f", WALL_TARGET_MS),
                    evacuationWallMs.n() == 0 ? "none measured" : String.format(Locale.ROOT, "%.0f", evacuationWallMs.max()),
                    evacuationWallMs.n() > 0 && evacuationWallMs.max() <= WALL_TARGET_MS));
            if (warmUp != null) {
                Checkouts w = warmUp.checkouts();
                targets.add(new Target("orders lost / duplicated in the warm-up rounds", "0 / 0", w.lost() + " / " + w.duplicated(),
                        w.ordersIntact()));
            }
            return targets;
        }

        /** The exit code's verdict: every printed target held. */
        boolean ok() {
            return targets().stream().allMatch(Target::met);
        }

        void write(Path dir) {
            writeReport(dir, this, markdown());
        }

        String markdown() {
            StringBuilder md = new StringBuilder("# Evacuation benchmark\n\n");
            md.append(String.format(Locale.ROOT, "%d shards, %d checkouts/s, %d round(s) of %s -> %s and back, through the coordinator API",
                    shards, options.rate(), options.rounds(), options.from(), options.to()));
            md.append(warmUp == null ? ".\n\n" : String.format(Locale.ROOT, ", after %d warm-up round(s) under their own load (below).%n%n",
                    options.warmupRounds()));
            md.append("| target | wanted | measured | met |\n|---|---|---|---|\n");
            targets().forEach(t -> md.append("| ").append(t.name()).append(" | ").append(t.target()).append(" | ").append(t.measured())
                    .append(" | ").append(t.met() ? "yes" : "**NO**").append(" |\n"));
            md.append('\n');
            phase(md, new Phase(warmedUp, checkouts, latencyMs, evacuationWallMs, writePauseMs, evacuationsFailed, evacuations));
            if (warmUp != null) {
                md.append("\n## Warm-up (not in the figures above)\n\n");
                phase(md, warmUp);
            }
            return md.toString();
        }

        private void phase(StringBuilder md, Phase p) {
            md.append("Load warm-up, to every DC in turn: ").append(WarmUps.describe(p.warmedUp(), options.rampUp()))
                    .append(".\n\n");
            Checkouts c = p.checkouts();
            md.append("| checkouts | attempted | acknowledged | failed | lost | duplicated | latency p50 / p99 / max ms |\n")
                    .append("|---|---|---|---|---|---|---|\n");
            md.append(String.format(Locale.ROOT, "| all | %d | %d | %d | %d | %d | %.1f / %.1f / %.1f |%n%n", c.attempted(),
                    c.acknowledged(), c.failed(), c.lost(), c.duplicated(), p.latencyMs().p50Ms(), p.latencyMs().p99Ms(),
                    p.latencyMs().maxMs()));
            c.failureReasons().forEach((why, n) -> md.append("- failed: ").append(n).append(" x ").append(why)
                .append(c.failureSamples().getOrDefault(why, List.of()).stream().map(d -> " (" + d + ")").collect(Collectors.joining(","))).append('\n'));
            if (c.staleConnectionRetries() > 0) {
                md.append("- sent a second time (the kept-alive connection closed before any reply byte; same idempotency key): ")
                        .append(c.staleConnectionRetries()).append('\n');
            }
            c.auditProblems().forEach(problem -> md.append("- audit: ").append(problem).append('\n'));
            md.append(String.format(Locale.ROOT, "%nEvacuation wall time (ms): %s  %n", p.evacuationWallMs()));
            md.append(String.format(Locale.ROOT, "Write pause per shard (ms): %s  %n", p.writePauseMs()));
            md.append(String.format(Locale.ROOT, "Evacuations not SUCCEEDED: %d%n%n", p.evacuationsFailed()));
            md.append("| round | failover | direction | state | wall ms | write pause max ms | failed checkouts | refused first (target not "
                    + "HEALTHY / candidates catching up) |\n").append("|---|---|---|---|---|---|---|---|\n");
            for (Evacuation e : p.evacuations()) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s -> %s | %s | %s | %.1f | %d | %d / %d |%n", e.round(), e.id(), e.from(), e.to(),
                        e.state(), e.wallMs() == null ? "?" : String.format(Locale.ROOT, "%.0f", e.wallMs()),
                        e.writePauseMs().values().stream().mapToDouble(Double::doubleValue).max().orElse(0), e.failedCheckouts(),
                        e.refused(), e.catchingUp()));
            }
        }
    }

    private final Topology topology;
    private final LabServices services;
    private final Options options;
    private final PrintStream log;

    EvacuationBench(Topology topology, LabServices services, Options options, PrintStream log) {
        this.topology = topology;
        this.services = services;
        this.options = options;
        this.log = log;
    }

    Report run() throws InterruptedException {
        CoordinatorApi api = services.api("sre");
        Phase warmUp = options.warmupRounds() == 0 ? null : phase(api, "warm-up", options.warmupRounds());
        return Report.of(options, topology.shards().size(), phase(api, "measured", options.rounds()), warmUp);
    }

    private Phase phase(CoordinatorApi api, String name, int rounds) throws InterruptedException {
        record Window(int round, long startNanos, long endNanos, Started started) {
        }
        List<Window> windows = new ArrayList<>();
        LoadResult load;
        long retried;
        WarmUp warmedUp;
        // The rate ramps up first, as traffic does onto a fresh deploy: at full rate at once, a lab of cold JVMs on two
        // cores can fall behind and not catch up (checkouts time out by the hundred).
        LoadOptions loadOptions = LoadOptions.defaults().withRate(options.rate()).withRampUp(options.rampUp());
        try (LoadGenerator generator = new LoadGenerator(topology, loadOptions)) {
            generator.start();
            log.printf("[%s] load ramping up to %d checkouts/s over %d ms, to every DC in turn (a warm standby) until latency is "
                    + "steady (at most %d s), then through DNS%n", name, options.rate(), options.rampUp().toMillis(), options.warmup().toSeconds());
            warmedUp = WarmUps.everyDc(generator, options.rampUp(), options.warmup());
            log.printf("[%s] warm-up: %s%n", name, WarmUps.describe(warmedUp, options.rampUp()));
            for (int round = 1; round <= rounds; round++) {
                for (String[] leg : List.of(new String[]{options.from(), options.to()}, new String[]{options.to(), options.from()})) {
                    awaitHealthy(api, leg[1]);
                    long start = System.nanoTime();
                    Started started = evacuate(api, leg[0], leg[1], name + " round " + round);
                    windows.add(new Window(round, start, System.nanoTime(), started));
                    log.printf("[%s round %d] %s%n", name, round, started.report().summary());
                    Thread.sleep(options.settle());
                }
            }
            load = generator.stop();
            retried = generator.staleConnectionRetries();
        }
        log.printf("[%s] load: %d attempted, %d acknowledged, %d failed; auditing...%n", name, load.attempted(), load.acknowledged(),
                load.failed());
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(20)).check(load.orders());
        if (!audit.clean()) log.printf("[%s] audit: %s%n", name, audit);

        LoadResult finished = load;
        List<Evacuation> evacuations = windows.stream().map(w -> {
            FailoverReport r = w.started().report();
            return new Evacuation(w.round(), r.id(), r.from(), r.to(), r.state().name(), r.wallMs(), pauses(r),
                    finished.failedBetween(w.startNanos(), w.endNanos()), w.started().refused(), w.started().catchingUp(), r);
        }).toList();
        Checkouts checkouts = Checkouts.of(load, retried, audit);
        return new Phase(warmedUp, checkouts, load.latencyMs(),
                Summary.of(evacuations.stream().map(Evacuation::wallMs).filter(Objects::nonNull).toList()),
                Summary.of(evacuations.stream().flatMap(e -> e.writePauseMs().values().stream()).toList()),
                evacuations.stream().filter(e -> !e.succeeded()).count(), evacuations);
    }

    private record Started(FailoverReport report, int refused, int catchingUp) {
    }

    private Started evacuate(CoordinatorApi api, String from, String to, String round) throws InterruptedException {
        ObjectNode request = CoordinatorApi.JSON.createObjectNode().put("from", from).put("to", to)
                .put("reason", "bench evacuate, " + round).put("dryRun", false).put("force", false);
        CatchingUp.Asked asked = CatchingUp.post(api, request, line -> log.printf("[%s] %s%n", round, line));
        int catchingUp = asked.retries();
        int refused = 0;
        // Never forced: a refusal is the health view doing its job, so wait for HEALTHY like an SRE would.
        while (asked.answer().status() == 409 && asked.answer().body().path("code").asText().equals("target_unhealthy")
                && refused < REFUSALS_ALLOWED) {
            refused++;
            log.printf("[%s] %s; waiting for %s to be HEALTHY to ask again%n", round, asked.answer().error(), to);
            awaitHealthy(api, to);
            asked = CatchingUp.post(api, request, line -> log.printf("[%s] %s%n", round, line));
            catchingUp += asked.retries();
        }
        if (!asked.answer().ok()) throw new IllegalStateException(round + ": failover " + from + " -> " + to + " " + asked.error());
        CoordinatorApi.Answer created = asked.answer();
        String id = created.body().get("id").asText();
        long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
        while (true) {
            CoordinatorApi.Answer failover = api.get("/failovers/" + id);
            if (!failover.ok()) throw new IllegalStateException("cannot follow failover " + id + ": " + failover.error());
            if (!failover.body().path("state").asText().equals("RUNNING")) break;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("failover " + id + " (" + from + " -> " + to + ") still runs after " + FAILOVER_TIMEOUT);
            }
            Thread.sleep(POLL);
        }
        CoordinatorApi.Answer report = api.get("/failovers/" + id + "/report");
        if (!report.ok()) throw new IllegalStateException("cannot read the report of failover " + id + ": " + report.error());
        try {
            return new Started(Json.MAPPER.treeToValue(report.body(), FailoverReport.class), refused, catchingUp);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("malformed report of failover " + id + ": " + e.getOriginalMessage(), e);
        }
    }

    /** {@code report.json} (the record as JSON) and {@code report.md} into {@code dir}. */
    static void writeReport(Path dir, Object report, String markdown) {
        try {
            Files.createDirectories(dir);
            Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("report.json").toFile(), report);
            Files.writeString(dir.resolve("report.md"), markdown);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark report into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code api}'s coordinator sees {@code dc} HEALTHY: an evacuation to any other DC is refused. */
    static void awaitHealthy(CoordinatorApi api, String dc) throws InterruptedException {
        long deadline = System.nanoTime() + TARGET_HEALTHY_TIMEOUT.toNanos();
        String verdict = "?";
        while (System.nanoTime() < deadline) {
            CoordinatorApi.Answer health = api.get("/health");
            if (health.ok()) {
                for (JsonNode d : health.body().path("datacenters")) {
                    if (d.path("dc").asText().equals(dc)) verdict = d.path("verdict").asText() + " " + d.path("reasons");
                }
                if (verdict.startsWith("HEALTHY")) return;
            }
            Thread.sleep(POLL);
        }
        throw new IllegalStateException("DC " + dc + " is not HEALTHY after " + TARGET_HEALTHY_TIMEOUT.toSeconds() + " s: " + verdict);
    }

    private static Map<String, Double> pauses(FailoverReport report) {
        Map<String, Double> pauses = new TreeMap<>();
        report.shards().stream().filter(s -> s.writePauseMs() != null).forEach(s -> pauses.put(s.shard(), s.writePauseMs()));
        return pauses;
    }
}
