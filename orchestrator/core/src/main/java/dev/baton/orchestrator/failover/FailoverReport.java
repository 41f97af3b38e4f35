package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ConsulChange;
import dev.baton.orchestrator.consul.TagChange;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.orchestrator.traffic.WeightChange;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A failover's report, built from what was persisted: the timeline of its steps, per shard the
 * write pause and wall time, the DNS changes, the LB weight changes and the Consul changes (as made,
 * even when rolled back), the verification checkouts.
 *
 * @param wallMs        from accepted to finished; null while it runs
 * @param dns           the latest drain-dns step's change
 * @param weightChanges only the weights that moved, every drain-lb step's in the order they ran
 * @param verified      whether every verification checkout went through; null when none ran
 * @param dnsChanges    every drain-dns step's change, in the order they ran
 * @param consulChanges every consul step's KV write and catalog tags, in the order they ran
 * @param changeLines   every traffic change above for people, each with the step that made it
 * @param runbook       the runbook it ran; null for a failover from before runbooks
 * @param runbookSha256 of that runbook's file, as the catalog listed it; null when not kept
 */
public record FailoverReport(String id, String from, String to, Failover.State state, String reason, Instant created,
                             Instant finished, Double wallMs, List<TimelineStep> timeline, List<ShardLine> shards,
                             DnsChange dns, List<WeightChange> weightChanges, List<Verification> verifications,
                             Boolean verified, List<DnsChange> dnsChanges, List<ConsulChange> consulChanges,
                             List<ChangeLine> changeLines, String runbook, String runbookSha256) {

    /**
     * One traffic change as the report prints it.
     *
     * @param made DONE when its step finished; FAILED when the step recorded the change it was about to make
     *             and then failed, so it may not have taken (a rollback undoes it if it did)
     */
    public record ChangeLine(String step, String text, TimelineStep.State made) {
    }

    /**
     * @param writePauseMs null until the shard's switchover returned
     * @param steps        the engine's steps for this shard (fence, catch-up, promote, ...)
     */
    public record ShardLine(String shard, ShardProgress.State state, Double writePauseMs, Double wallMs, String reason,
                            List<StepRecord> steps) {
    }

    public static FailoverReport of(Failover f) {
        TrafficOutcome traffic = Optional.ofNullable(f.traffic()).orElse(TrafficOutcome.NONE);
        List<Verification> verifications = Optional.ofNullable(traffic.verifications()).orElse(List.of());
        // A failover persisted before the per-step records existed has only the latest of each, under the default step id.
        Map<String, DnsChange> dnsSteps = traffic.dnsSteps().isEmpty() && traffic.dns() != null
                ? Map.of("drain-dns", traffic.dns()) : traffic.dnsSteps();
        Map<String, DrainChange> weightSteps = traffic.weightSteps().isEmpty() && traffic.weights() != null
                ? Map.of("drain-lb", traffic.weights()) : traffic.weightSteps();
        return new FailoverReport(f.id(), f.request().from(), f.request().to(), f.state(), f.reason(), f.created(), f.finished(),
                f.finished() == null ? null : Duration.between(f.created(), f.finished()).toNanos() / 1e6,
                f.timeline(),
                f.shards().stream().map(s -> new ShardLine(s.shard(), s.state(), s.writePauseMs(), s.wallMs(), s.reason(), s.steps())).toList(),
                traffic.dns(),
                weightSteps.values().stream().flatMap(d -> d.weights().stream()).filter(WeightChange::changed).toList(),
                verifications,
                traffic.verifications() == null ? null : verifications.stream().allMatch(Verification::ok),
                List.copyOf(dnsSteps.values()), List.copyOf(traffic.consulSteps().values()),
                changeLines(f.timeline(), dnsSteps, weightSteps, traffic.consulSteps()),
                f.runbook() == null ? null : f.runbook().runbook(), f.runbookSha256());
    }

    private static List<ChangeLine> changeLines(List<TimelineStep> timeline, Map<String, DnsChange> dnsSteps,
                                                Map<String, DrainChange> weightSteps, Map<String, ConsulChange> consulSteps) {
        Map<String, TimelineStep.State> states = new HashMap<>();
        timeline.forEach(t -> states.put(t.name(), t.state() == TimelineStep.State.FAILED ? TimelineStep.State.FAILED
                : TimelineStep.State.DONE));
        List<ChangeLine> lines = new ArrayList<>();
        dnsSteps.forEach((step, d) -> lines.add(new ChangeLine(step, "dns: " + FailoverStep.DrainDns.describe(d),
                states.getOrDefault(step, TimelineStep.State.DONE))));
        weightSteps.forEach((step, drain) -> drain.weights().stream().filter(WeightChange::changed).forEach(w -> lines.add(new ChangeLine(step,
                "lb: HAProxy " + w.haproxy() + ' ' + w.backend() + '/' + w.server() + " weight " + w.before() + " -> " + w.after(),
                states.getOrDefault(step, TimelineStep.State.DONE)))));
        consulSteps.forEach((step, c) -> {
            TimelineStep.State made = states.getOrDefault(step, TimelineStep.State.DONE);
            if (c.kv() != null && c.kv().changed()) {
                lines.add(new ChangeLine(step, "consul: key " + c.kv().key() + ' ' + quote(c.kv().before()) + " -> " + quote(c.kv().after()), made));
            }
            c.tags().stream().filter(TagChange::changed).forEach(t -> lines.add(new ChangeLine(step, "consul: catalog " + t.service()
                    + " in " + t.dc() + " tags " + (t.before() == null ? "(not registered)" : t.before()) + " -> " + t.after(), made)));
        });
        return List.copyOf(lines);
    }

    /** One line: outcome, wall time, shards switched, worst write pause, verification. */
    public String summary() {
        long switched = shards.stream().filter(s -> s.state() == ShardProgress.State.SWITCHED).count();
        double worstPause = shards.stream().map(ShardLine::writePauseMs).filter(p -> p != null).mapToDouble(Double::doubleValue)
                .max().orElse(0);
        double elapsed = wallMs != null ? wallMs : Duration.between(created, Instant.now()).toNanos() / 1e6;
        return String.format(Locale.ROOT, "failover %s %s in %.0f ms (%s -> %s): %d/%d shard(s) switched, max write pause %.1f ms, %s",
                id, state == Failover.State.RUNNING ? "ran its steps" : state, elapsed, from, to, switched, shards.size(), worstPause,
                verified == null ? "not verified" : verified ? "verified" : "VERIFICATION FAILED");
    }

    /** The report for people, as {@code baton failover --wait} prints it. */
    public String text() {
        StringBuilder sb = new StringBuilder(summary()).append('\n');
        if (!reason.isBlank()) sb.append("  why: ").append(reason).append('\n');
        if (runbook != null) {
            sb.append("  runbook: ").append(runbook).append(runbookSha256 == null ? "" : " (sha256 " + runbookSha256 + ")").append('\n');
        }
        sb.append("  timeline:\n");
        for (TimelineStep step : timeline) {
            sb.append(String.format(Locale.ROOT, "    %8s  %-14s %-11s %s%n",
                    step.startedAt() == null ? "" : "+" + Duration.between(created, step.startedAt()).toMillis() + " ms",
                    step.name(), step.state(), step.durationMs() == null ? "" : String.format(Locale.ROOT, "%.1f ms", step.durationMs())));
            step.changes().forEach(c -> sb.append("                ").append(c).append('\n'));
            if (!step.error().isBlank()) sb.append("                error: ").append(step.error()).append('\n');
        }
        sb.append("  shards:\n");
        for (ShardLine s : shards) {
            sb.append(String.format(Locale.ROOT, "    %-8s %-11s write pause %s, wall %s%s%n", s.shard(), s.state(), ms(s.writePauseMs()),
                    ms(s.wallMs()), s.reason().isBlank() ? "" : ": " + s.reason()));
            for (StepRecord step : s.steps()) {
                sb.append(String.format(Locale.ROOT, "      %8s  %-14s %s%n",
                        step.startedAt() == null ? "" : "+" + Duration.between(created, step.startedAt()).toMillis() + " ms",
                        step.name(), ms(step.durationMs())));
            }
        }
        // A rollback keeps the changes it undid (the timeline says what it put back). A step that failed
        // recorded what it was about to do: say so rather than claim it happened.
        for (ChangeLine line : changeLines) {
            sb.append("  ").append(line.text());
            if (line.made() == TimelineStep.State.FAILED) {
                sb.append(" (attempted by ").append(line.step()).append(", which failed").append(state == Failover.State.ROLLED_BACK
                        ? "; rolled back if any of it took)" : ")");
            } else if (state == Failover.State.ROLLED_BACK) {
                sb.append(" (rolled back)");
            }
            sb.append('\n');
        }
        for (Verification v : verifications) {
            sb.append("  verify: ").append(v.ok() ? "ok   " : "FAILED ").append(v.idempotencyKey())
                    .append(v.ok() ? " on " + v.shard() + " order " + v.orderId() : ": " + v.error())
                    .append(" (").append(v.latencyMs()).append(" ms)\n");
        }
        return sb.toString();
    }

    private static String quote(String value) {
        return value == null ? "(absent)" : "'" + value + "'";
    }

    private static String ms(Double value) {
        return value == null ? "?" : String.format(Locale.ROOT, "%.1f ms", value);
    }
}
