package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ConsulChange;
import dev.baton.orchestrator.consul.TagChange;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.orchestrator.traffic.WeightChange;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
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
 */
public record FailoverReport(String id, String from, String to, Failover.State state, String reason, Instant created,
                             Instant finished, Double wallMs, List<TimelineStep> timeline, List<ShardLine> shards,
                             DnsChange dns, List<WeightChange> weightChanges, List<Verification> verifications,
                             Boolean verified, List<DnsChange> dnsChanges, List<ConsulChange> consulChanges) {

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
        // A failover persisted before the per-step records existed has only the latest of each.
        List<DnsChange> dnsChanges = traffic.dnsSteps().isEmpty() ? Optional.ofNullable(traffic.dns()).stream().toList()
                : List.copyOf(traffic.dnsSteps().values());
        List<DrainChange> weightChanges = traffic.weightSteps().isEmpty() ? Optional.ofNullable(traffic.weights()).stream().toList()
                : List.copyOf(traffic.weightSteps().values());
        return new FailoverReport(f.id(), f.request().from(), f.request().to(), f.state(), f.reason(), f.created(), f.finished(),
                f.finished() == null ? null : Duration.between(f.created(), f.finished()).toNanos() / 1e6,
                f.timeline(),
                f.shards().stream().map(s -> new ShardLine(s.shard(), s.state(), s.writePauseMs(), s.wallMs(), s.reason(), s.steps())).toList(),
                traffic.dns(),
                weightChanges.stream().flatMap(d -> d.weights().stream()).filter(WeightChange::changed).toList(),
                verifications,
                traffic.verifications() == null ? null : verifications.stream().allMatch(Verification::ok),
                dnsChanges, List.copyOf(traffic.consulSteps().values()));
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
        // A rollback keeps the changes it undid (the timeline says what it put back).
        String undone = state == Failover.State.ROLLED_BACK ? " (rolled back)" : "";
        dnsChanges.forEach(d -> sb.append("  dns: ").append(FailoverStep.DrainDns.describe(d)).append(undone).append('\n'));
        weightChanges.forEach(w -> sb.append("  lb: HAProxy ").append(w.haproxy()).append(' ').append(w.backend()).append('/')
                .append(w.server()).append(" weight ").append(w.before()).append(" -> ").append(w.after()).append(undone).append('\n'));
        for (ConsulChange c : consulChanges) {
            if (c.kv() != null && c.kv().changed()) {
                sb.append("  consul: key ").append(c.kv().key()).append(' ').append(quote(c.kv().before())).append(" -> ")
                        .append(quote(c.kv().after())).append(undone).append('\n');
            }
            c.tags().stream().filter(TagChange::changed).forEach(t -> sb.append("  consul: catalog ").append(t.service()).append(" in ")
                    .append(t.dc()).append(" tags ").append(t.before() == null ? "(not registered)" : t.before()).append(" -> ")
                    .append(t.after()).append(undone).append('\n'));
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
