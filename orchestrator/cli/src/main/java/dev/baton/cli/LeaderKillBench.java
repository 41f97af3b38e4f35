package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.chaos.bench.Summary;
import dev.baton.chaos.bench.WarmUps;
import dev.baton.chaos.bench.WritableSampler;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.ServerState;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.LatencySummary;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.CheckoutResolver;
import dev.baton.chaos.workload.load.FailedCheckout;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.load.WarmUp;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.wire.Datacenter;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The leading coordinator killed ({@code kill -9}) in the middle of whole-DC evacuations, each
 * time at another step, under checkout load for the whole run: how long the surviving coordinator
 * takes to bring each failover to an end, how it ends, whether an order was lost, and, asked of
 * the servers themselves all along, whether a shard ever had two writable primaries or none.
 * <p>
 * Each kill is triggered by the leader's own event stream, the moment the targeted step starts,
 * and lands on the PID the lab recorded for that coordinator after checking it runs that
 * coordinator's id; the killed coordinator is started again (as a follower) before the next one.
 */
final class LeaderKillBench {
    static final List<String> STEPS = List.of("precheck", "drain-dns", "drain-lb", "switch-shards", "verify");
    /** The target: every evacuation whose leader died completes or rolls back within this of the kill. */
    static final Duration END_TARGET = Duration.ofSeconds(10);
    /** How a failover whose leader died may end: FAILED (or still RUNNING) is a miss, however fast. */
    static final List<String> ENDED_WELL = List.of("SUCCEEDED", "ROLLED_BACK");
    /** A failover is followed this long after its kill before it is reported as never ending. */
    private static final Duration END_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration TRIGGER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STREAM_CONNECT = Duration.ofSeconds(5);
    private static final Duration SAMPLE_PERIOD = Duration.ofMillis(25);
    /** Longer without a writable server than a switchover's write pause (tens to a few hundred ms): listed one by one. */
    private static final Duration LONG_ZERO = Duration.ofMillis(500);
    private static final Duration POLL = Duration.ofMillis(50);

    /**
     * @param steps  the step each kill targets, in turn (see {@link #STEPS})
     * @param settle load with no evacuation after each kill's coordinator is back
     * @param warmup the longest warm-up before the first evacuation: load to every DC in turn until checkout
     *               latency is steady (see {@link WarmUps#everyDc})
     */
    record Options(int rate, int kills, List<String> steps, Duration settle, Duration warmup) {
    }

    /**
     * One evacuation whose leader was killed.
     *
     * @param stepTargeted     the step whose start triggered the kill ({@code switch-shards}: the first shard's fence)
     * @param eventToKillMs    from the triggering event's timestamp to the SIGKILL sent
     * @param stepAtKill       the step the persisted failover showed running just after the kill, read from a survivor
     * @param shardStepsAtKill each planned shard's last persisted step just after the kill
     * @param state            how the failover ended (SUCCEEDED, ROLLED_BACK, FAILED), RUNNING when it never did, or
     *                         NOT_KILLED when the kill did not happen
     * @param killToEndMs      from the kill to the failover's recorded end; null when it did not end
     * @param takenOverBy      the coordinator leading when the failover ended
     * @param reason           the failover's own reason for its end
     * @param failedCheckouts  checkouts planned from the evacuation's start to its end that failed, and why
     * @param failedAfterEnd   checkouts planned after that end until the next evacuation that failed (what the failover left
     *                         behind, the killed coordinator's restart and the settle time), and why
     * @param dnsAfter         the DC the checkout name resolved to once the failover ended (asked of the DNS server)
     * @param primariesAfter   how many shards had their primary in each DC then (asked of the servers): with
     *                         {@code dnsAfter}, whether traffic and primaries ended up in the same DC
     * @param error            what kept this kill from going as planned; empty otherwise
     * @param catchingUp       times its request was refused because candidates were still catching up from the previous
     *                         move, and asked again shortly after (see {@link CatchingUp})
     */
    record Kill(int n, String stepTargeted, String failoverId, String from, String to, String killedCoordinator, long killedPid,
                Instant killedAt, Double eventToKillMs, String stepAtKill, Map<String, String> shardStepsAtKill, String state,
                Long killToEndMs, String takenOverBy, String reason, Map<String, Long> failedCheckouts, Map<String, Long> failedAfterEnd,
                String dnsAfter, Map<String, Long> primariesAfter, String error, int catchingUp) {

        /** Ended well (completed or rolled back, not FAILED) within {@link #END_TARGET} of the kill. */
        boolean endedInTime() {
            return killToEndMs != null && killToEndMs <= END_TARGET.toMillis() && ENDED_WELL.contains(state);
        }

        Kill withFailedCheckouts(Map<String, Long> during, Map<String, Long> after) {
            return new Kill(n, stepTargeted, failoverId, from, to, killedCoordinator, killedPid, killedAt, eventToKillMs, stepAtKill,
                    shardStepsAtKill, state, killToEndMs, takenOverBy, reason, during, after, dnsAfter, primariesAfter, error, catchingUp);
        }
    }

    /** One target as printed, and whether it held: every one is judged, and the exit code is their verdict. */
    record Target(String name, String target, String measured, boolean met) {
    }

    /**
     * @param killToEndMs         over the kills whose failover ended
     * @param writablePrimaries   what the servers said all run long ({@code maxPerShard} must be 1 everywhere)
     * @param twoWritableObserved instants a shard had two writable servers (must be 0)
     * @param zeroWritableMaxMs   the longest a shard had no writable server
     * @param warmedUp            how the load's warm-up went: how long until latency was steady, and whether it was
     * @param failedOutsideKills  checkouts that failed before the first evacuation (the warm-up), by reason
     * @param targets             every target printed, judged
     * @param misses              every target missed, one line each with what missed it; empty when all held
     */
    record Report(Options options, int shards, WarmUp warmedUp, List<Kill> kills, Summary killToEndMs, EvacuationBench.Checkouts checkouts,
                  LatencySummary latencyMs, WritableSampler.Result writablePrimaries, long twoWritableObserved, long zeroWritableMaxMs,
                  Map<String, Long> failedOutsideKills, long readOnlyErrorsToCheckout, List<Target> targets, List<String> misses) {

        /** Issue 11: a shard's writes flow again this soon after a leader's death (no shard without a writable server longer). */
        static final long WRITES_AGAIN_TARGET_MS = 3000;

        static Report of(Options options, int shards, WarmUp warmedUp, List<Kill> kills, EvacuationBench.Checkouts checkouts,
                         LatencySummary latency, WritableSampler.Result writable, Map<String, Long> failedOutsideKills,
                         long readOnlyErrorsToCheckout) {
            List<Target> targets = new ArrayList<>();
            List<String> misses = new ArrayList<>();
            long planned = kills.stream().filter(k -> k.error().isEmpty()).count();
            targets.add(new Target("kills that landed as planned (at the step, on the leader's process)", "all " + kills.size(),
                    planned + "/" + kills.size(), planned == kills.size()));
            long inTime = kills.stream().filter(Kill::endedInTime).count();
            targets.add(new Target("failovers ended " + String.join(" or ", ENDED_WELL) + " within " + END_TARGET.toSeconds()
                    + " s of the kill", "all " + kills.size(), inTime + "/" + kills.size(), inTime == kills.size()));
            for (Kill k : kills) {
                if (!k.error().isEmpty()) misses.add("kill " + k.n() + " (" + k.stepTargeted() + "): " + k.error());
                else if (!k.endedInTime()) {
                    misses.add("kill " + k.n() + " (" + k.stepTargeted() + "): failover " + k.failoverId() + " " + (k.killToEndMs() == null
                            ? "still RUNNING " + END_TIMEOUT.toSeconds() + " s after the kill"
                            : "ended " + k.state() + " " + k.killToEndMs() + " ms after the kill") + " (target " + String.join(" or ", ENDED_WELL)
                            + " within " + END_TARGET.toSeconds() + " s)");
                }
            }
            // The design's promise: no failed checkout, a leader's death included. Counted over the whole run; the table
            // says which kill each falls to (during its evacuation, or after its end until the next one).
            long duringKills = kills.stream().mapToLong(k -> total(k.failedCheckouts())).sum();
            long afterEnds = kills.stream().mapToLong(k -> total(k.failedAfterEnd())).sum();
            targets.add(new Target("failed checkouts, whole run (warm-up and restarts included)", "0", checkouts.failed()
                    + " (during kills " + duringKills + ", after their ends " + afterEnds + ", before the first " + total(failedOutsideKills)
                    + ")", checkouts.failed() == 0));
            if (checkouts.failed() > 0) misses.add(checkouts.failed() + " checkout(s) failed: " + checkouts.failureReasons());
            targets.add(new Target("acknowledged orders lost / stored twice (audit complete)", "0 / 0", checkouts.lost() + " / "
                    + checkouts.duplicated() + (checkouts.auditProblems().isEmpty() ? "" : " (audit incomplete)"), checkouts.ordersIntact()));
            if (checkouts.lost() > 0) misses.add(checkouts.lost() + " acknowledged order(s) lost");
            if (checkouts.duplicated() > 0) misses.add(checkouts.duplicated() + " acknowledged order(s) stored twice");
            checkouts.auditProblems().forEach(p -> misses.add("audit could not check everything: " + p));
            targets.add(new Target("instants with two writable servers in a shard (asked of the servers)", "0",
                    Long.toString(writable.twoWritableObserved()), writable.twoWritableObserved() == 0));
            if (writable.twoWritableObserved() > 0) {
                misses.add("two writable primaries seen " + writable.twoWritableObserved() + " time(s), first: "
                        + writable.twoWritable().getFirst());
            }
            // Issue 11: a dead holder must not let writes through to a fenced primary, and writes flow again within 3 s.
            targets.add(new Target("checkouts answered with a read-only error (writes let through to a fenced primary)", "0",
                    Long.toString(readOnlyErrorsToCheckout), readOnlyErrorsToCheckout == 0));
            if (readOnlyErrorsToCheckout > 0) misses.add(readOnlyErrorsToCheckout + " checkout(s) failed on a read-only server");
            targets.add(new Target("longest a shard had no writable server (kill -> writes flowing again)", "<= " + WRITES_AGAIN_TARGET_MS
                    + " ms", writable.zeroWritableMaxMs() + " ms", writable.zeroWritableMaxMs() <= WRITES_AGAIN_TARGET_MS));
            if (writable.zeroWritableMaxMs() > WRITES_AGAIN_TARGET_MS) {
                misses.add("a shard had no writable server for " + writable.zeroWritableMaxMs() + " ms");
            }
            Summary killToEnd = Summary.of(kills.stream().map(Kill::killToEndMs).filter(Objects::nonNull).toList());
            return new Report(options, shards, warmedUp, kills, killToEnd, checkouts, latency, writable, writable.twoWritableObserved(),
                    writable.zeroWritableMaxMs(), failedOutsideKills, readOnlyErrorsToCheckout, targets, misses);
        }

        boolean ok() {
            return targets.stream().allMatch(Target::met);
        }

        void write(Path dir) {
            EvacuationBench.writeReport(dir, this, markdown());
        }

        String markdown() {
            StringBuilder md = new StringBuilder("# Leader kill benchmark\n\n");
            md.append(String.format(Locale.ROOT, "%d shards, %d checkouts/s through DNS all run long, %d evacuation(s) whose leading "
                    + "coordinator got kill -9 at: %s.%n%n", shards, options.rate(), options.kills(), String.join(", ", options.steps())));
            md.append("Load warm-up, to every DC in turn: ").append(WarmUps.describe(warmedUp, Duration.ZERO)).append(".\n\n");
            md.append("| # | step targeted | step at kill | failover | direction | killed | state | kill -> end ms | taken over by "
                    + "| failed checkouts (after end) | DNS after | primaries after |\n").append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Kill k : kills) {
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s -> %s | %s (pid %d) | %s | %s | %s | %d (%d) | %s | %s |%n", k.n(),
                        k.stepTargeted(), k.stepAtKill(), k.failoverId(), k.from(), k.to(), k.killedCoordinator(), k.killedPid(), k.state(),
                        k.killToEndMs() == null ? "-" : k.killToEndMs().toString(), k.takenOverBy(), total(k.failedCheckouts()),
                        total(k.failedAfterEnd()), k.dnsAfter(),
                        k.primariesAfter().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))));
            }
            md.append('\n');
            for (Kill k : kills) {
                if (!k.reason().isBlank() || !k.error().isBlank()) {
                    md.append("- kill ").append(k.n()).append(k.reason().isBlank() ? "" : ": " + k.reason())
                            .append(k.error().isBlank() ? "" : " ERROR: " + k.error()).append('\n');
                }
                if (!k.failedCheckouts().isEmpty()) md.append("- kill ").append(k.n()).append(", checkouts failed: ").append(k.failedCheckouts()).append('\n');
                if (!k.failedAfterEnd().isEmpty()) md.append("- kill ").append(k.n()).append(", checkouts failed after the end: ")
                        .append(k.failedAfterEnd()).append('\n');
                if (k.catchingUp() > 0) md.append("- kill ").append(k.n()).append(": its request was asked again ").append(k.catchingUp())
                        .append(" time(s) while candidates caught up from the previous move\n");
            }
            md.append(String.format(Locale.ROOT, "%nKill -> end (ms): %s; target <= %d ms each.  %n", killToEndMs, END_TARGET.toMillis()));
            md.append(String.format(Locale.ROOT, "Triggering event -> SIGKILL (ms): %s.  %n",
                    Summary.of(kills.stream().map(Kill::eventToKillMs).filter(Objects::nonNull).toList())));
            EvacuationBench.Checkouts c = checkouts;
            md.append(String.format(Locale.ROOT, "Checkouts: %d attempted, %d acknowledged, %d failed, %d lost, %d duplicated; latency p50 / p99 "
                    + "/ max %.1f / %.1f / %.1f ms.%n", c.attempted(), c.acknowledged(), c.failed(), c.lost(), c.duplicated(),
                    latencyMs.p50Ms(), latencyMs.p99Ms(), latencyMs.maxMs()));
            c.failureReasons().forEach((why, n) -> md.append("- failed: ").append(n).append(" x ").append(why)
                    .append(c.failureSamples().getOrDefault(why, List.of()).stream().map(d -> " (" + d + ")").collect(Collectors.joining(",")))
                    .append('\n'));
            if (c.staleConnectionRetries() > 0) {
                md.append("- sent a second time (the kept-alive connection closed before any reply byte; same idempotency key): ")
                        .append(c.staleConnectionRetries()).append('\n');
            }
            if (!failedOutsideKills.isEmpty()) md.append("- failed before the first evacuation: ").append(failedOutsideKills).append('\n');
            c.auditProblems().forEach(p -> md.append("- audit: ").append(p).append('\n'));
            WritableSampler.Result w = writablePrimaries;
            md.append(String.format(Locale.ROOT, "%nWritable servers per shard, asked of the servers every %d ms (%d rounds, %d failed "
                    + "questions): max %s; two writable seen %d time(s) (%d unconfirmed by the reverse pass); longest with none %d ms.%n",
                    w.periodMs(), w.rounds(), w.errors(), w.maxPerShard(), w.twoWritableObserved(), w.twoWritableUnconfirmed(),
                    w.zeroWritableMaxMs()));
            w.twoWritable().forEach(t -> md.append("- TWO WRITABLE: ").append(t.shard()).append(" at ").append(t.at()).append(": ")
                    .append(t.servers()).append('\n'));
            w.longZeroSpans().forEach(z -> md.append(String.format(Locale.ROOT, "- no writable server in %s for %d ms from %s%s%n",
                    z.shard(), z.durationMs(), z.from(), z.open() ? " (still none at the end)" : "")));
            md.append("\n## Targets\n\n| target | wanted | measured | met |\n|---|---|---|---|\n");
            targets.forEach(t -> md.append("| ").append(t.name()).append(" | ").append(t.target()).append(" | ").append(t.measured())
                    .append(" | ").append(t.met() ? "yes" : "**NO**").append(" |\n"));
            md.append(ok() ? "\nEvery target held.\n" : "\nTargets missed:\n");
            misses.forEach(m -> md.append("- ").append(m).append('\n'));
            return md.toString();
        }
    }

    /** The coordinator leading now, with the lab's PID for it, checked to run that coordinator. */
    private record Leader(CoordinatorPeer peer, String process, long pid) {
    }

    private record Direction(String from, String to) {
    }

    /** The kill, as the event listener did it. */
    private record Shot(JsonNode event, Instant at, long nanos) {
    }

    /** A kill's record and the window of its evacuation, to count the checkouts that failed in it once the load stopped. */
    private record Attempt(Kill kill, long startNanos, long endNanos) {
    }

    private final Lab lab;
    private final LabServices services;
    private final Options options;
    private final PrintStream log;

    LeaderKillBench(Lab lab, LabServices services, Options options, PrintStream log) {
        this.lab = lab;
        this.services = services;
        this.options = options;
        this.log = log;
    }

    Report run() throws InterruptedException {
        var topology = lab.topology();
        List<Attempt> attempts = new ArrayList<>();
        LoadResult load;
        long retried;
        WritableSampler.Result writable;
        WarmUp warmedUp;
        try (WritableSampler sampler = new WritableSampler(topology, SAMPLE_PERIOD, LONG_ZERO).start();
             LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(options.rate()))) {
            generator.start();
            log.printf("load at %d checkouts/s to every DC in turn (a warm standby) until latency is steady (at most %d s), then through DNS%n",
                    options.rate(), options.warmup().toSeconds());
            warmedUp = WarmUps.everyDc(generator, Duration.ZERO, options.warmup());
            log.printf("warm-up: %s%n", WarmUps.describe(warmedUp, Duration.ZERO));
            for (int n = 1; n <= options.kills(); n++) {
                String step = options.steps().get((n - 1) % options.steps().size());
                Attempt attempt;
                long start = System.nanoTime();
                try {
                    attempt = attempt(n, step);
                } catch (IllegalStateException e) {
                    // Reported with the rest; the next kill may still go as planned.
                    attempt = new Attempt(new Kill(n, step, "-", "?", "?", "-", 0, null, null, "-", Map.of(), "NOT_KILLED", null, "-", "",
                            Map.of(), Map.of(), dnsPointsTo(), primariesByDc(), e.getMessage(), 0), start, System.nanoTime());
                }
                attempts.add(attempt);
                Kill k = attempt.kill();
                log.printf("[kill %d at %s] %s %s -> %s: killed %s at %s, %s after %s ms (taken over by %s)%s%n", n, step, k.failoverId(),
                        k.from(), k.to(), k.killedCoordinator(), k.stepAtKill(), k.state(), k.killToEndMs(), k.takenOverBy(),
                        k.error().isEmpty() ? "" : "; ERROR: " + k.error());
                Thread.sleep(options.settle());
            }
            load = generator.stop();
            retried = generator.staleConnectionRetries();
            writable = sampler.stop();
        }
        log.printf("load: %d attempted, %d acknowledged, %d failed; auditing...%n", load.attempted(), load.acknowledged(), load.failed());
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(20)).check(load.orders());
        if (!audit.clean()) log.printf("audit: %s%n", audit);
        List<Kill> kills = new ArrayList<>();
        for (int i = 0; i < attempts.size(); i++) {
            Attempt a = attempts.get(i);
            long next = i + 1 < attempts.size() ? attempts.get(i + 1).startNanos() : Long.MAX_VALUE;
            kills.add(a.kill().withFailedCheckouts(failures(load, a.startNanos(), a.endNanos()), failures(load, a.endNanos() + 1, next)));
        }
        Map<String, Long> beforeFirst = failures(load, Long.MIN_VALUE, attempts.isEmpty() ? Long.MAX_VALUE : attempts.getFirst().startNanos() - 1);
        return Report.of(options, topology.shards().size(), warmedUp, kills, EvacuationBench.Checkouts.of(load, retried, audit),
                load.latencyMs(), writable, beforeFirst, readOnlyErrors(load));
    }

    /** Failed checkouts whose last error was the server's read-only refusal (1290, 1836): writes let through to a fenced primary. */
    static long readOnlyErrors(LoadResult load) {
        return load.failures().stream().filter(f -> f.detail() != null
                && (f.detail().contains("1290") || f.detail().contains("1836") || f.detail().contains("read-only")
                || f.detail().contains("read_only"))).count();
    }

    /** The checkouts planned in [fromNanos, toNanos] that failed, counted by reason. */
    private static Map<String, Long> failures(LoadResult load, long fromNanos, long toNanos) {
        return load.failures().stream().filter(f -> f.plannedAtNanos() >= fromNanos && f.plannedAtNanos() <= toNanos)
                .collect(Collectors.groupingBy(FailedCheckout::reason, TreeMap::new, Collectors.counting()));
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One evacuation from the DC holding the primaries, its leader killed at {@code step}, followed
     * on a survivor to its end, then the killed coordinator started again. A kill that does not go
     * as planned is recorded with its error and the run goes on.
     */
    private Attempt attempt(int n, String step) throws InterruptedException {
        long start = System.nanoTime();
        Leader leader = leader();
        Direction direction = direction();
        String from = direction.from();
        String to = direction.to();
        CoordinatorApi leaderApi = new CoordinatorApi(List.of(leader.peer().url()), services.tokens().get("sre"));
        CoordinatorApi survivors = new CoordinatorApi(services.urls().stream().filter(u -> !u.equals(leader.peer().url())).toList(),
                services.tokens().get("viewer"));
        EvacuationBench.awaitHealthy(leaderApi, to);

        CompletableFuture<Shot> shot = new CompletableFuture<>();
        String id = null;
        String error = "";
        int catchingUp = 0;
        try (EventStream events = EventStream.open(leader.peer().url(), services.tokens().get("viewer"), STREAM_CONNECT, event -> {
            if (shot.isDone() || !triggers(step, event)) return;
            try {
                Instant at = Instant.now();
                long nanos = System.nanoTime();
                lab.killProcess(leader.process());
                shot.complete(new Shot(event, at, nanos));
            } catch (RuntimeException e) {
                shot.completeExceptionally(e);
            }
        })) {
            if (!events.coordinator().equals(leader.peer().id())) {
                throw new IllegalStateException("the event stream of " + leader.peer().url() + " is served by coordinator "
                        + events.coordinator() + ", not by the leader " + leader.peer().id());
            }
            ObjectNode request = CoordinatorApi.JSON.createObjectNode().put("from", from).put("to", to)
                    .put("reason", "bench leader-kill " + n + " at " + step).put("dryRun", false).put("force", false);
            try {
                // No event comes of a refused request, so asking again cannot trigger a kill.
                CatchingUp.Asked asked = CatchingUp.post(leaderApi, request, line -> log.printf("[kill %d] %s%n", n, line));
                catchingUp = asked.retries();
                if (!asked.answer().ok()) throw new IllegalStateException("failover " + from + " -> " + to + " " + asked.error());
                id = asked.answer().body().get("id").asText();
            } catch (IllegalStateException e) {
                // The kill may land before the leader answered: the event names the failover then.
                if (!shot.isDone()) throw e;
            }
            Shot fired;
            try {
                fired = shot.get(TRIGGER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                error = "step " + step + " did not start within " + TRIGGER_TIMEOUT.toSeconds() + " s; no kill";
                Kill k = notKilled(n, step, id, from, to, leader, awaitEnd(leaderApi, id), error, catchingUp);
                return new Attempt(k, start, System.nanoTime());
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot kill coordinator " + leader.peer().id() + " (pid " + leader.pid() + "): "
                        + e.getCause().getMessage(), e.getCause());
            }
            String fromEvent = fired.event().path("failoverId").asText();
            if (id != null && !id.equals(fromEvent)) {
                error = "the kill was triggered by failover " + fromEvent + ", not by the one this bench started (" + id + ")";
            }
            id = fromEvent;
            Kill k = followAfterKill(n, step, id, from, to, leader, fired, survivors, error, catchingUp);
            long end = System.nanoTime();
            services.restartCoordinator(lab, leader.peer(), RESTART_TIMEOUT);
            log.printf("[kill %d] coordinator %s started again as pid %d%n", n, leader.peer().id(), lab.pidOf(leader.process()));
            return new Attempt(k, start, end);
        }
    }

    /** The persisted failover right after the kill (a survivor reads ZooKeeper), then polled until it is no longer RUNNING. */
    private Kill followAfterKill(int n, String step, String id, String from, String to, Leader leader, Shot fired,
                                 CoordinatorApi survivors, String error, int catchingUp) throws InterruptedException {
        JsonNode atKill = failover(survivors, id);
        String stepAtKill = "none running";
        String lastDone = "";
        for (JsonNode s : atKill.path("timeline")) {
            if (s.path("state").asText().equals("RUNNING")) stepAtKill = s.path("name").asText();
            if (s.path("state").asText().equals("DONE")) lastDone = s.path("name").asText();
        }
        if (stepAtKill.equals("none running") && !lastDone.isEmpty()) stepAtKill += " (last done: " + lastDone + ")";
        Map<String, String> shardSteps = new TreeMap<>();
        for (JsonNode s : atKill.path("shards")) {
            JsonNode steps = s.path("steps");
            shardSteps.put(s.path("shard").asText(), steps.isEmpty() ? "-" : steps.get(steps.size() - 1).path("name").asText());
        }
        Double eventToKillMs = parseInstant(fired.event().path("at").asText())
                .map(at -> Duration.between(at, fired.at()).toNanos() / 1e6).orElse(null);

        JsonNode end = awaitEnd(survivors, id, fired.nanos());
        String state = end.path("state").asText();
        Long killToEndMs = parseInstant(end.path("finished").asText()).map(f -> Duration.between(fired.at(), f).toMillis()).orElse(null);
        String takenOverBy = survivors.get("/topology").body().path("leader").asText("?");
        return new Kill(n, step, id, from, to, leader.peer().id(), leader.pid(), fired.at(), eventToKillMs, stepAtKill, shardSteps, state,
                state.equals("RUNNING") ? null : killToEndMs, takenOverBy, end.path("reason").asText(""), Map.of(), Map.of(), dnsPointsTo(), primariesByDc(),
                error, catchingUp);
    }

    private Kill notKilled(int n, String step, String id, String from, String to, Leader leader, JsonNode end, String error,
                           int catchingUp) {
        return new Kill(n, step, id, from, to, leader.peer().id(), leader.pid(), null, null, "-", Map.of(), "NOT_KILLED (" +
                end.path("state").asText("?") + ")", null, "-", end.path("reason").asText(""), Map.of(), Map.of(), dnsPointsTo(),
                primariesByDc(), error, catchingUp);
    }

    /** Polls until the failover is no longer RUNNING, at most {@link #END_TIMEOUT} after {@code sinceNanos}; the last answer. */
    private static JsonNode awaitEnd(CoordinatorApi api, String id, long sinceNanos) throws InterruptedException {
        long deadline = sinceNanos + END_TIMEOUT.toNanos();
        while (true) {
            JsonNode failover = failover(api, id);
            if (!failover.path("state").asText().equals("RUNNING") || System.nanoTime() > deadline) return failover;
            Thread.sleep(POLL);
        }
    }

    private static JsonNode awaitEnd(CoordinatorApi api, String id) throws InterruptedException {
        if (id == null) return CoordinatorApi.JSON.createObjectNode();
        return awaitEnd(api, id, System.nanoTime());
    }

    private static JsonNode failover(CoordinatorApi api, String id) {
        CoordinatorApi.Answer answer = api.get("/failovers/" + id);
        if (!answer.ok()) throw new IllegalStateException("cannot read failover " + id + ": " + answer.error());
        return answer.body();
    }

    /** {@code switch-shards} is killed after the first shard fenced: the moment the most is half done. */
    private static boolean triggers(String step, JsonNode event) {
        String type = event.path("type").asText();
        return step.equals("switch-shards")
                ? type.equals("failover.step") && event.path("step").asText().equals("fence")
                : type.equals("failover.step.started") && event.path("step").asText().equals(step);
    }

    /**
     * The leader every coordinator names, and the lab's PID for that coordinator, checked to be a
     * live process started with that coordinator's {@code --id}.
     */
    private Leader leader() throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        Map<String, String> named = new LinkedHashMap<>();
        while (true) {
            named.clear();
            for (String url : services.urls()) {
                try {
                    CoordinatorApi.Answer topology = new CoordinatorApi(List.of(url), services.tokens().get("viewer")).get("/topology");
                    named.put(url, topology.ok() ? topology.body().path("leader").asText() : "");
                } catch (IllegalStateException e) {
                    named.put(url, "");
                }
            }
            List<String> leaders = named.values().stream().distinct().toList();
            if (leaders.size() == 1 && !leaders.getFirst().isEmpty()) break;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the coordinators do not agree on a leader after " + LEADER_TIMEOUT.toSeconds()
                        + " s: " + named);
            }
            Thread.sleep(POLL);
        }
        CoordinatorPeer peer = services.coordinator(named.values().iterator().next());
        String process = LabServices.coordinatorProcess(peer.dc());
        long pid = lab.pidOf(process);
        List<String> args = arguments(pid);
        int idArg = args.indexOf("--id");
        if (idArg < 0 || idArg + 1 >= args.size() || !args.get(idArg + 1).equals(peer.id())) {
            throw new IllegalStateException("the lab's '" + process + "' (pid " + pid + ") is not coordinator " + peer.id()
                    + " (the leader): its arguments are " + args);
        }
        return new Leader(peer, process, pid);
    }

    /** Read from /proc: ProcessHandle.Info gave no arguments at all for the lab's coordinators here. */
    private static List<String> arguments(long pid) {
        try {
            return Arrays.asList(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** From the DC holding most primaries (asked of the servers) to another. */
    private Direction direction() {
        String from = primariesByDc().entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("no server of the lab is a primary now: " + lab.status().servers()));
        String to = lab.topology().datacenterNames().stream().filter(dc -> !dc.equals(from)).findFirst().orElseThrow();
        return new Direction(from, to);
    }

    /** Shards whose primary (writable, not replicating) is in each DC, as the servers say now. */
    private Map<String, Long> primariesByDc() {
        return lab.status().servers().stream().filter(s -> s.role() == ServerState.Live.PRIMARY)
                .collect(Collectors.groupingBy(ServerState::dc, TreeMap::new, Collectors.counting()));
    }

    /** The DC whose address the checkout name resolves to now, asked of the DNS server (no cache). */
    private String dnsPointsTo() {
        try {
            InetAddress address = CheckoutResolver.of(lab.topology().dns()).resolve();
            return lab.topology().datacenters().stream()
                    .filter(dc -> dc.address().equals(address.getHostAddress()) || dc.checkoutEntry().host().equals(address.getHostAddress()))
                    .map(Datacenter::name).findFirst().orElse(address.getHostAddress());
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /** The API writes instants as ISO-8601 text; an absent one (a failover not finished) is null. */
    private static Optional<Instant> parseInstant(String text) {
        try {
            return text.isEmpty() || text.equals("null") ? Optional.empty() : Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
