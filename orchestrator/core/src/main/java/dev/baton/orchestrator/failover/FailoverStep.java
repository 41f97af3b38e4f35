package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.TrafficException;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.orchestrator.traffic.WeightChange;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The steps of a whole-DC failover. {@link #IN_ORDER} is the one place that says which run and in
 * what order; {@link Evacuation} runs them, persisting and announcing each before and after, for a
 * new failover and for one a new leader takes over alike.
 */
sealed interface FailoverStep {

    List<FailoverStep> IN_ORDER = List.of(new Precheck(), new DrainDns(), new DrainLoadBalancer(), new SwitchShards(),
            new Verify(), new Report());

    String name();

    /**
     * Does the step's work.
     *
     * @return what it changed, one line each
     * @throws RuntimeException naming what failed
     */
    List<String> run(Evacuation run);

    /**
     * Puts back what {@link #run} changed, for a rollback before any shard switched; what it restored.
     * Idempotent, from what {@link #run} recorded (which an undo leaves as it is): a new leader may undo
     * again what a lost one had undone already.
     */
    default List<String> undo(Evacuation run) {
        return List.of();
    }

    /**
     * Checked again at the last moment: time passed since the request was accepted (lock,
     * persistence), and a candidate may have fallen behind meanwhile.
     */
    record Precheck() implements FailoverStep {
        public String name() {
            return "precheck";
        }

        public List<String> run(Evacuation run) {
            FailoverRequest request = run.failover().request();
            DcHealth target = run.targetHealth();
            if (target.verdict() != Verdict.HEALTHY && !request.force()) {
                throw new IllegalStateException("target DC " + target.dc() + " is " + target.verdict()
                        + (target.reasons().isEmpty() ? "" : ": " + String.join("; ", target.reasons())));
            }
            FailoverPlan now = run.replan();
            if (!now.allProblems().isEmpty()) {
                throw new IllegalStateException("not ready: " + String.join("; ", now.allProblems()));
            }
            Set<String> planned = shardNames(run.failover().plan());
            if (!shardNames(now).equals(planned)) {
                throw new IllegalStateException("the shards with a primary in " + request.from() + " changed since the plan: "
                        + planned + " then, " + shardNames(now) + " now");
            }
            return List.of();
        }

        private static Set<String> shardNames(FailoverPlan plan) {
            return plan.shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
        }
    }

    /** Points the checkout record at the target DC and waits until the DNS server answers with it. */
    record DrainDns() implements FailoverStep {
        public String name() {
            return "drain-dns";
        }

        public List<String> run(Evacuation run) {
            String ip = run.target().address();
            // Recorded before the change, so a rollback knows what to put back even if the change fails half-way.
            DnsChange intent = run.dns().preview(ip);
            run.recordTraffic(t -> t.withDns(intent));
            DnsChange change = run.dns().pointAt(ip);
            run.recordTraffic(t -> t.withDns(change));
            return List.of(describe(change));
        }

        /** Nothing recorded means the step failed reading the record: it changed nothing. */
        public List<String> undo(Evacuation run) {
            DnsChange done = run.failover().traffic().dns();
            if (done == null) return List.of();
            if (done.before() == null) {
                throw new TrafficException(done.name() + " had no A record before; it stays at " + done.after().ip());
            }
            DnsChange back = run.dns().pointAt(done.before().ip());
            return back.changed() ? List.of(describe(back)) : List.of();
        }

        static String describe(DnsChange change) {
            String before = change.before() == null ? "(none)" : change.before().ip();
            return change.changed() ? change.name() + " A " + before + " -> " + change.after().ip() + " (TTL " + change.after().ttl() + ")"
                    : change.name() + " A already " + change.after().ip();
        }
    }

    /** Sets every DC's HAProxy checkout weights: a drain of the source, or an undrain on a fail-back (see the plan). */
    record DrainLoadBalancer() implements FailoverStep {
        public String name() {
            return "drain-lb";
        }

        public List<String> run(Evacuation run) {
            FailoverPlan plan = run.failover().plan();
            boolean undrain = plan.traffic().lb() == TrafficPlan.LbAction.UNDRAIN;
            // Recorded before the change: a drain can fail on one HAProxy after another one moved.
            DrainChange intent = undrain ? run.drain().previewUndrain() : run.drain().previewDrain(plan.from(), plan.to());
            run.recordTraffic(t -> t.withWeights(intent));
            DrainChange change = undrain ? run.drain().undrain() : run.drain().drain(plan.from(), plan.to());
            run.recordTraffic(t -> t.withWeights(change));
            return describe(change);
        }

        /** Nothing recorded means the step failed reading the weights: it changed nothing. */
        public List<String> undo(Evacuation run) {
            DrainChange done = run.failover().traffic().weights();
            if (done == null) return List.of();
            DrainChange back = run.drain().restore(done);
            return back.changed() ? describe(back) : List.of();
        }

        static List<String> describe(DrainChange change) {
            List<String> lines = new ArrayList<>();
            for (WeightChange w : change.weights()) {
                if (w.changed()) lines.add("HAProxy " + w.haproxy() + " " + w.backend() + "/" + w.server() + " weight " + w.before() + " -> " + w.after());
            }
            return lines.isEmpty() ? List.of("weights already as wanted") : lines;
        }
    }

    /**
     * Every planned shard through the switchover engine, in parallel. The point of no return: once
     * a shard switched, a failure rolls nothing back. When none switched it counts as failed, and
     * the traffic steps are undone.
     */
    record SwitchShards() implements FailoverStep {
        public String name() {
            return "switch-shards";
        }

        public List<String> run(Evacuation run) {
            List<ShardProgress> shards = run.switchShards();
            List<String> lines = shards.stream().map(p -> p.shard() + " " + p.state()
                    + (p.writePauseMs() == null ? "" : String.format(Locale.ROOT, " (write pause %.1f ms)", p.writePauseMs()))
                    + (p.reason().isBlank() ? "" : ": " + p.reason())).toList();
            if (!shards.isEmpty() && shards.stream().noneMatch(p -> p.state() == ShardProgress.State.SWITCHED)) {
                throw new IllegalStateException("no shard switched: " + String.join("; ", lines));
            }
            return lines;
        }
    }

    /**
     * A synthetic checkout per shard at the target DC's app. A failure is reported loudly (event,
     * report, FAILED) but undoes nothing: the shards already moved, and moving them back blindly
     * could make things worse than the failed checkout shows.
     */
    record Verify() implements FailoverStep {
        public String name() {
            return "verify";
        }

        public List<String> run(Evacuation run) {
            List<Verification> results = run.verifier().verifyEveryShard(run.target().name());
            run.recordTraffic(t -> t.withVerifications(results));
            List<String> failed = results.stream().filter(v -> !v.ok()).map(Verification::error).toList();
            if (!failed.isEmpty()) {
                throw new IllegalStateException(failed.size() + " of " + results.size() + " verification checkout(s) failed: "
                        + String.join("; ", failed));
            }
            return results.stream().map(v -> "checkout " + v.idempotencyKey() + " placed on " + v.shard() + " as order "
                    + v.orderId() + " in " + v.latencyMs() + " ms").toList();
        }
    }

    /** The report is built from the persisted failover (GET .../report); this step announces its summary. */
    record Report() implements FailoverStep {
        public String name() {
            return "report";
        }

        public List<String> run(Evacuation run) {
            String summary = FailoverReport.of(run.snapshot()).summary();
            run.announce(summary);
            return List.of(summary);
        }
    }
}
