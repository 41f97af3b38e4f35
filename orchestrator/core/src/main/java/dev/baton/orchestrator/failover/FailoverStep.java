package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.hooks.Hook;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.TrafficException;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.orchestrator.traffic.WeightChange;
import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlannedStep;

import java.net.URI;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What this coordinator does for each kind of planned step: the one place that maps a runbook plan's
 * {@link Action}s to actuators. {@link Evacuation} runs a plan's steps in its order through
 * {@link #of}, persisting and announcing each before and after, for a new failover and for one a new
 * leader takes over alike. A kind without an actuator here is refused before anything runs
 * ({@link #unsupported}), never faked.
 */
sealed interface FailoverStep {

    PlannedStep planned();

    default String name() {
        return planned().id();
    }

    /**
     * Does the step's work.
     *
     * @return what it changed, one line each
     * @throws RuntimeException naming what failed
     */
    List<String> run(Evacuation run);

    /**
     * Runs {@code rollback} (the plan's rollback step that undoes this one) for a rollback before the
     * point of no return; what it restored. Idempotent, from what {@link #run} recorded (which an undo
     * leaves as it is): a new leader may undo again what a lost one had undone already.
     */
    default List<String> undo(Evacuation run, PlannedStep rollback) {
        return List.of();
    }

    /** Whether the step only looks: a failover that ran only such steps changed nothing. */
    default boolean readOnly() {
        return false;
    }

    static FailoverStep of(PlannedStep step) {
        return switch (step.action()) {
            case Action.Check c -> new Precheck(step, c);
            case Action.PointRecord p -> new DrainDns(step, p);
            case Action.SetWeights w -> new DrainLoadBalancer(step, w);
            case Action.SwitchShards s -> new SwitchShards(step, s);
            case Action.Checkout c -> new Verify(step, c);
            case Action.Message m when m.channels().isEmpty() -> new Report(step, m);
            case Action.Message m -> new Notify(step, m);
            case Action.Approve a -> throw unsupported(step);
            case Action.FlipWriters f -> new FlipWriters(step, f);
            case Action.ConsulKv c -> new ConsulKv(step, c);
            case Action.ConsulTags c -> new ConsulTags(step, c);
            case Action.Call c -> new HttpHook(step, c);
            case Action.Wait w -> throw unsupported(step);
        };
    }

    /** Every step of the plan (rollback steps included) this coordinator cannot run; empty when it can run them all. */
    static List<String> unsupported(Plan plan) {
        List<String> problems = new ArrayList<>();
        for (PlannedStep step : plan.steps()) {
            try {
                of(step);
            } catch (UnsupportedOperationException e) {
                problems.add(e.getMessage());
            }
        }
        for (PlannedStep step : plan.rollback()) {
            if (!(step.action() instanceof Action.PointRecord || step.action() instanceof Action.SetWeights)) {
                problems.add("rollback step " + step.id() + ": not supported by this coordinator yet as an undo: " + step.kind());
            }
        }
        return problems;
    }

    private static UnsupportedOperationException unsupported(PlannedStep step) {
        return new UnsupportedOperationException("step " + step.id() + ": not supported by this coordinator yet: " + step.kind());
    }

    /**
     * The plan's conditions, checked at the last moment: time passed since the request was accepted
     * (lock, persistence), and a candidate may have fallen behind meanwhile. A forced failover skips
     * the health verdicts, as the request asked.
     */
    record Precheck(PlannedStep planned, Action.Check check) implements FailoverStep {
        public List<String> run(Evacuation run) {
            FailoverRequest request = run.failover().request();
            List<String> failed = new ArrayList<>();
            for (Condition condition : check.conditions()) {
                switch (condition) {
                    case Condition.DcHealthy h -> {
                        DcHealth dc = run.health(h.dc());
                        if (dc.verdict() != Verdict.HEALTHY && !request.force()) {
                            failed.add("DC " + dc.dc() + " is " + dc.verdict()
                                    + (dc.reasons().isEmpty() ? "" : ": " + String.join("; ", dc.reasons())));
                        }
                    }
                    case Condition.DcDown d -> {
                        DcHealth dc = run.health(d.dc());
                        if (dc.verdict() != Verdict.DOWN) failed.add("DC " + dc.dc() + " is " + dc.verdict() + ", not DOWN");
                    }
                    case Condition.MaxLag m -> {
                        FailoverPlan now = run.replan(m.max());
                        if (!now.allProblems().isEmpty()) failed.add("not ready: " + String.join("; ", now.allProblems()));
                        Set<String> planned = shardNames(run.failover().plan());
                        if (!shardNames(now).equals(planned)) {
                            failed.add("the shards with a primary in " + request.from() + " changed since the plan: "
                                    + planned + " then, " + shardNames(now) + " now");
                        }
                    }
                    case Condition.PrimariesIn p -> {
                        List<String> shards = run.failover().runbook().shards();
                        if (run.discover().heldBy(p.dc()).stream().noneMatch(shards::contains)) {
                            failed.add("DC " + p.dc() + " holds none of the primaries of " + shards);
                        }
                    }
                    case Condition.CheckoutOk o -> run.verify(o.dc(), List.of()).stream().filter(v -> !v.ok())
                            .forEach(v -> failed.add("checkout at " + o.dc() + " failed: " + v.error()));
                    case Condition.Window w -> {
                        ZonedDateTime now = ZonedDateTime.now(w.zone());
                        if (!w.days().contains(now.getDayOfWeek()) || now.toLocalTime().isBefore(w.from()) || !now.toLocalTime().isBefore(w.to())) {
                            failed.add("now (" + now + ") is outside the window " + w.days() + " " + w.from() + "-" + w.to() + " " + w.zone());
                        }
                    }
                }
            }
            if (!failed.isEmpty()) throw new IllegalStateException(String.join("; ", failed));
            return List.of();
        }

        public boolean readOnly() {
            return true;
        }

        private static Set<String> shardNames(FailoverPlan plan) {
            return plan.shards().stream().map(ShardPlan::shard).collect(Collectors.toSet());
        }
    }

    /** Points the checkout record at the planned DC's address and waits until the DNS server answers with it. */
    record DrainDns(PlannedStep planned, Action.PointRecord point) implements FailoverStep {
        public List<String> run(Evacuation run) {
            // Recorded before the change, so a rollback knows something may have changed even if the change fails half-way.
            DnsChange intent = run.dns().preview(point.address());
            run.recordTraffic(t -> t.withDns(intent));
            DnsChange change = run.dns().pointAt(point.address());
            run.recordTraffic(t -> t.withDns(change));
            return List.of(describe(change));
        }

        /** Nothing recorded means the step failed reading the record: it changed nothing. */
        public List<String> undo(Evacuation run, PlannedStep rollback) {
            if (run.failover().traffic().dns() == null) return List.of();
            if (!(rollback.action() instanceof Action.PointRecord back)) {
                throw new TrafficException("rollback step " + rollback.id() + " is a " + rollback.kind() + ", which cannot undo " + name());
            }
            DnsChange done = run.dns().pointAt(back.address());
            return done.changed() ? List.of(describe(done)) : List.of();
        }

        static String describe(DnsChange change) {
            String before = change.before() == null ? "(none)" : change.before().ip();
            return change.changed() ? change.name() + " A " + before + " -> " + change.after().ip() + " (TTL " + change.after().ttl() + ")"
                    : change.name() + " A already " + change.after().ip();
        }
    }

    /** Sets every DC's HAProxy checkout weights: a drain of the source, or an undrain (traffic home), as planned. */
    record DrainLoadBalancer(PlannedStep planned, Action.SetWeights weights) implements FailoverStep {
        public List<String> run(Evacuation run) {
            // Recorded before the change: a drain can fail on one HAProxy after another one moved.
            DrainChange intent = switch (weights.action()) {
                case DRAIN -> run.drain().previewDrain(weights.from(), weights.to());
                case UNDRAIN -> run.drain().previewUndrain();
                case RESTORE -> throw new IllegalStateException(name() + ": a restore only undoes an earlier step");
            };
            run.recordTraffic(t -> t.withWeights(intent));
            DrainChange change = weights.action() == Step.LbAction.UNDRAIN ? run.drain().undrain()
                    : run.drain().drain(weights.from(), weights.to());
            run.recordTraffic(t -> t.withWeights(change));
            return describe(change);
        }

        /** Nothing recorded means the step failed reading the weights: it changed nothing. */
        public List<String> undo(Evacuation run, PlannedStep rollback) {
            DrainChange done = run.failover().traffic().weights();
            if (done == null) return List.of();
            if (!(rollback.action() instanceof Action.SetWeights back)) {
                throw new TrafficException("rollback step " + rollback.id() + " is a " + rollback.kind() + ", which cannot undo " + name());
            }
            DrainChange undone = switch (back.action()) {
                case RESTORE -> run.drain().restore(done);
                case UNDRAIN -> run.drain().undrain();
                case DRAIN -> run.drain().drain(back.from(), back.to());
            };
            return undone.changed() ? describe(undone) : List.of();
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
     * The planned shards through the switchover engine, group after group, the shards of a group in
     * parallel. Once a shard switched, a failure rolls nothing back. When none switched it counts as
     * failed, and the step's on-failure applies.
     */
    record SwitchShards(PlannedStep planned, Action.SwitchShards switches) implements FailoverStep {
        public List<String> run(Evacuation run) {
            List<ShardProgress> shards = run.switchShards(switches);
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
     * Emergency: each planned shard's server in the target DC promoted although its old primary cannot
     * be asked, and every reachable writer pointed at it ({@link dev.baton.orchestrator.switchover.EmergencyPromotion}).
     * A shard that cannot be promoted safely is REFUSED with its reason; when none was promoted the step
     * fails and its on-failure applies.
     */
    record FlipWriters(PlannedStep planned, Action.FlipWriters flips) implements FailoverStep {
        public List<String> run(Evacuation run) {
            List<ShardProgress> shards = run.flipWriters(flips);
            List<String> lines = shards.stream().map(p -> p.shard() + " " + p.state()
                    + (p.wallMs() == null ? "" : String.format(Locale.ROOT, " in %.1f ms", p.wallMs()))
                    + (p.reason().isBlank() ? "" : ": " + p.reason())).toList();
            if (!shards.isEmpty() && shards.stream().noneMatch(p -> p.state() == ShardProgress.State.SWITCHED)) {
                throw new IllegalStateException("no shard promoted: " + String.join("; ", lines));
            }
            return lines;
        }
    }

    /** A synthetic checkout per planned shard (every shard when the plan names none) at the planned DC's app. */
    record Verify(PlannedStep planned, Action.Checkout checkout) implements FailoverStep {
        public List<String> run(Evacuation run) {
            List<Verification> results = run.verify(checkout.dc(), checkout.shards());
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

    /**
     * The report is built from the persisted failover (GET .../report); this step announces the plan's
     * message and the report's summary on the event stream. Other channels are refused at planning.
     */
    record Report(PlannedStep planned, Action.Message message) implements FailoverStep {
        public List<String> run(Evacuation run) {
            String summary = FailoverReport.of(run.snapshot()).summary();
            run.announce(name(), message.text() + " | " + summary);
            return List.of(message.text(), summary);
        }
    }

    /** A runbook's own HTTP call; a pre-hook or a post-hook by where it stands in the plan ({@link StepHooks}). */
    record HttpHook(PlannedStep planned, Action.Call call) implements FailoverStep {
        public List<String> run(Evacuation run) {
            Hook hook = new Hook.Custom(call.method().toUpperCase(Locale.ROOT), URI.create(call.url()), call.body() == null ? "" : call.body());
            return StepHooks.send(run, planned, List.of(hook));
        }

        /** It tells others; nothing Baton changed, nothing to undo. */
        public boolean readOnly() {
            return true;
        }
    }

    /**
     * The plan's message and the report's summary on the event stream, like {@link Report}, and to each
     * named channel of the config as a hook ({@link StepHooks}: a pre-hook or a post-hook by position).
     */
    record Notify(PlannedStep planned, Action.Message message) implements FailoverStep {
        public List<String> run(Evacuation run) {
            String text = message.text() + " | " + FailoverReport.of(run.snapshot()).summary();
            run.announce(name(), text);
            List<String> lines = new ArrayList<>(List.of(text));
            lines.addAll(StepHooks.send(run, planned, StepHooks.toChannels(run, message, text)));
            return lines;
        }

        public boolean readOnly() {
            return true;
        }
    }

    /** A KV write through the Consul director; the configured active-DC key gets the whole document ({@link ConsulSteps}). */
    record ConsulKv(PlannedStep planned, Action.ConsulKv kv) implements FailoverStep {
        public List<String> run(Evacuation run) {
            return ConsulSteps.put(run, kv);
        }
    }

    /** One DC's catalog tags for a service through the Consul director. */
    record ConsulTags(PlannedStep planned, Action.ConsulTags tags) implements FailoverStep {
        public List<String> run(Evacuation run) {
            return ConsulSteps.tag(run, tags);
        }
    }
}
