package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.health.DcHealth;
import dev.baton.orchestrator.health.Verdict;
import dev.baton.orchestrator.hooks.Hook;
import dev.baton.orchestrator.traffic.ARecord;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.TrafficException;
import dev.baton.orchestrator.traffic.Verification;
import dev.baton.orchestrator.traffic.WeightChange;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlannedStep;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /**
     * Whether the step keeps its own deadline rather than being interrupted at its timeout: a waiting
     * step, which must be able to say what it waited for and to wait on under a new leader.
     */
    default boolean ownsTimeout() {
        return false;
    }

    static FailoverStep of(PlannedStep step) {
        return switch (step.action()) {
            case Action.Check c -> new Precheck(step, c);
            case Action.PointRecord p -> new DrainDns(step, p);
            case Action.RestoreRecord r -> throw new UnsupportedOperationException("step " + step.id()
                    + ": a drain-dns restore only undoes an earlier drain-dns step, as a rollback step");
            case Action.SetWeights w -> new DrainLoadBalancer(step, w);
            case Action.SwitchShards s -> new SwitchShards(step, s);
            case Action.Checkout c -> new Verify(step, c);
            case Action.Message m when m.channels().isEmpty() -> new Report(step, m);
            case Action.Message m -> new Notify(step, m);
            case Action.Approve a -> new Approval(step, a, Approval.role(step, a));
            case Action.FlipWriters f -> new FlipWriters(step, f);
            case Action.ConsulKv c -> new ConsulKv(step, c);
            case Action.ConsulTags c -> new ConsulTags(step, c);
            case Action.ConsulRestore r -> throw new UnsupportedOperationException("step " + step.id()
                    + ": a consul restore only undoes an earlier consul step, as a rollback step");
            case Action.Call c -> new HttpHook(step, c);
            case Action.Wait w -> new WaitUntil(step, w);
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
            if (!(step.action() instanceof Action.PointRecord || step.action() instanceof Action.RestoreRecord
                    || step.action() instanceof Action.SetWeights
                    || step.action() instanceof Action.ConsulRestore)) {
                problems.add("rollback step " + step.id() + ": not supported by this coordinator yet as an undo: " + step.kind());
            }
        }
        return problems;
    }

    /**
     * The plan's conditions, checked at the last moment: time passed since the request was accepted
     * (lock, persistence), and a candidate may have fallen behind meanwhile. While every unmet one is
     * candidates still catching up (as just after the previous move), they are checked again every
     * {@link #CATCH_UP_CHECK} for up to the step's catchUpWait (an abort cuts it short); anything else
     * refuses at once, and so does a candidate not caught up at the end of the wait, saying how long it waited.
     */
    record Precheck(PlannedStep planned, Action.Check check) implements FailoverStep {
        static final Duration CATCH_UP_CHECK = Duration.ofMillis(250);

        public List<String> run(Evacuation run) {
            long start = System.nanoTime();
            long until = start + check.catchUpWait().toNanos();
            List<Conditions.Unmet> waitedFor = List.of();
            for (int checks = 1; ; checks++) {
                List<Conditions.Unmet> unmet = check.conditions().stream().flatMap(c -> Conditions.unmet(c, run).stream()).toList();
                String waited = String.format(Locale.ROOT, "%.1f s (catchUpWait %d ms, %d checks)", (System.nanoTime() - start) / 1e9,
                        check.catchUpWait().toMillis(), checks);
                if (unmet.isEmpty()) {
                    return waitedFor.isEmpty() ? List.of() : List.of("every candidate caught up after waiting " + waited + " for: "
                            + String.join("; ", Conditions.Unmet.reasons(waitedFor)));
                }
                String why = String.join("; ", Conditions.Unmet.reasons(unmet));
                boolean catchingUp = unmet.stream().allMatch(Conditions.Unmet::catchingUp);
                long left = until - System.nanoTime();
                if (!catchingUp || left <= 0) {
                    if (waitedFor.isEmpty()) throw new IllegalStateException(why);
                    throw new IllegalStateException((catchingUp ? "still not caught up after waiting " + waited
                            : "after waiting " + waited + " for candidates to catch up") + ": " + why);
                }
                if (waitedFor.isEmpty()) {
                    waitedFor = unmet;
                    run.announce(name(), name() + " waits up to " + check.catchUpWait().toMillis() + " ms for candidates to catch up: " + why);
                }
                run.pause(Duration.ofNanos(Math.min(left, CATCH_UP_CHECK.toNanos())));
            }
        }

        public boolean readOnly() {
            return true;
        }
    }

    /**
     * Points the checkout record at the planned DC's address, via the PowerDNS API or RFC 2136 as planned,
     * and waits until the DNS server answers with it.
     */
    record DrainDns(PlannedStep planned, Action.PointRecord point) implements FailoverStep {
        public List<String> run(Evacuation run) {
            // Recorded before the change, so a rollback knows something may have changed even if the change fails half-way.
            DnsChange intent = run.dns(point.via()).preview(point.address());
            run.recordTraffic(t -> t.withDns(name(), intent));
            DnsChange change = run.dns(point.via()).pointAt(point.address());
            run.recordTraffic(t -> t.withDns(name(), change));
            return List.of(describe(change));
        }

        /**
         * Nothing recorded for this step means it failed reading the record: it changed nothing. The rollback
         * step goes its own planned way (the planner gave it this step's unless it says otherwise): a restore
         * to the address this step found, or to the address the rollback step names.
         */
        public List<String> undo(Evacuation run, PlannedStep rollback) {
            DnsChange recorded = run.failover().traffic().dnsSteps().get(name());
            if (recorded == null) return List.of();
            ARecord found = recorded.before();
            if (rollback.action() instanceof Action.RestoreRecord restore) {
                if (found == null) {
                    throw new TrafficException(name() + " found no A record for " + recorded.name() + ", so " + rollback.id()
                            + " has no address to put back (Baton does not delete records); point it with a drain-dns to: instead");
                }
                DnsChange done = run.dns(restore.via()).pointAt(found.ip());
                return done.changed() ? List.of(describe(done)) : List.of();
            }
            if (!(rollback.action() instanceof Action.PointRecord back)) {
                throw new TrafficException("rollback step " + rollback.id() + " is a " + rollback.kind() + ", which cannot undo " + name());
            }
            DnsChange done = run.dns(back.via()).pointAt(back.address());
            List<String> lines = new ArrayList<>();
            if (done.changed()) lines.add(describe(done));
            // The rollback step says where the record goes; when that is not where this step found it, say so.
            if (found == null || !found.ip().equals(back.address())) {
                lines.add("note: " + name() + " found " + done.name() + (found == null ? " absent" : " at " + found.ip())
                        + "; " + rollback.id() + " points it at " + back.address() + " (" + back.dc() + ") as planned");
            }
            return lines;
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
            // A source DC the health view calls DOWN (an emergency failover) may have no HAProxy left to ask.
            boolean sourceDown = weights.action() == Step.LbAction.DRAIN && run.health(weights.from()).verdict() == Verdict.DOWN;
            DrainChange intent = switch (weights.action()) {
                case DRAIN -> run.drain().previewDrain(weights.from(), weights.to(), sourceDown);
                case UNDRAIN -> run.drain().previewUndrain();
                case RESTORE -> throw new IllegalStateException(name() + ": a restore only undoes an earlier step");
            };
            run.recordTraffic(t -> t.withWeights(name(), sinceFirstAttempt(run, intent)));
            DrainChange change = weights.action() == Step.LbAction.UNDRAIN ? run.drain().undrain()
                    : run.drain().drain(weights.from(), weights.to(), sourceDown);
            run.recordTraffic(t -> t.withWeights(name(), sinceFirstAttempt(run, change)));
            return describe(change);
        }

        /** A retry keeps the weights the first attempt found: that attempt may have moved some already. */
        private DrainChange sinceFirstAttempt(Evacuation run, DrainChange change) {
            DrainChange first = run.failover().traffic().weightSteps().get(name());
            return first == null ? change : change.since(first);
        }

        /** Nothing recorded for this step means it failed reading the weights: it changed nothing. */
        public List<String> undo(Evacuation run, PlannedStep rollback) {
            DrainChange done = run.failover().traffic().weightSteps().get(name());
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
            change.unreachable().forEach(u -> lines.add("left alone: " + u));
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
            List<String> lines = new ArrayList<>(shards.stream().map(p -> p.shard() + " " + p.state()
                    + (p.wallMs() == null ? "" : String.format(Locale.ROOT, " in %.1f ms", p.wallMs()))
                    + (p.reason().isBlank() ? "" : ": " + p.reason())).toList());
            if (!shards.isEmpty() && shards.stream().noneMatch(p -> p.state() == ShardProgress.State.SWITCHED)) {
                throw new IllegalStateException("no shard promoted: " + String.join("; ", lines));
            }
            // A promotion's own time is not the outage: writes stopped when the source died, before it was called DOWN.
            String source = run.failover().request().from();
            DcHealth health = run.health(source);
            if (health.verdict() == Verdict.DOWN) {
                Instant done = Instant.now();
                lines.add(String.format(Locale.ROOT, "writes were unavailable at least %.1f s: %s DOWN since %s, the promotions done at %s"
                        + " (the outage began before it was declared DOWN)", Duration.between(health.since(), done).toMillis() / 1000.0,
                        source, health.since(), done));
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
            return ConsulSteps.put(run, name(), kv);
        }

        public List<String> undo(Evacuation run, PlannedStep rollback) {
            return ConsulSteps.restore(run, name(), rollback);
        }
    }

    /** One DC's catalog tags for a service through the Consul director. */
    record ConsulTags(PlannedStep planned, Action.ConsulTags tags) implements FailoverStep {
        public List<String> run(Evacuation run) {
            return ConsulSteps.tag(run, name(), tags);
        }

        public List<String> undo(Evacuation run, PlannedStep rollback) {
            return ConsulSteps.restore(run, name(), rollback);
        }
    }

    /**
     * An approval gate: the failover waits (WAITING in its timeline, persisted, so a new leader waits on)
     * until a user with at least the step's role approves it, an abort comes, or the step's timeout
     * since it first started passes, which fails it.
     *
     * @param role who may approve: the runbook's {@code operator} (or its default {@code sre}: the
     *             coordinator's operators are the SREs) or {@code admin}
     */
    record Approval(PlannedStep planned, Action.Approve approve, ApiRole role) implements FailoverStep {
        public List<String> run(Evacuation run) {
            StepWaits.Approved ok = run.awaitApproval(this);
            return List.of("approved by " + ok.by() + (ok.comment().isBlank() ? "" : ": " + ok.comment()));
        }

        public boolean readOnly() {
            return true;
        }

        public boolean ownsTimeout() {
            return true;
        }

        /** The API role a runbook's approval role stands for; a role the API does not have is refused before anything runs. */
        static ApiRole role(PlannedStep step, Action.Approve approve) {
            return switch (approve.role()) {
                case "sre", "operator" -> ApiRole.OPERATOR;
                case "admin" -> ApiRole.ADMIN;
                default -> throw new UnsupportedOperationException("step " + step.id() + ": approval role '" + approve.role()
                        + "' is not one of this coordinator's: sre or operator (an operator approves), admin");
            };
        }
    }

    /**
     * Checks its condition (as a precheck does) every interval until it holds; fails at its timeout
     * with the last check's reason. An abort cuts the pause between two checks short.
     */
    record WaitUntil(PlannedStep planned, Action.Wait until) implements FailoverStep {
        public List<String> run(Evacuation run) {
            long start = System.nanoTime();
            Instant deadline = Instant.now().plus(planned.timeout());
            String condition = Conditions.describe(until.condition());
            for (int checks = 1; ; checks++) {
                List<String> unmet = Conditions.Unmet.reasons(Conditions.unmet(until.condition(), run));
                if (unmet.isEmpty()) {
                    return List.of(String.format(Locale.ROOT, "%s held at check %d, after %.1f ms", condition, checks,
                            (System.nanoTime() - start) / 1e6));
                }
                Duration left = Duration.between(Instant.now(), deadline);
                if (!left.isPositive()) {
                    throw new IllegalStateException(condition + " still false after " + checks + " check(s) in "
                            + planned.timeout().toMillis() + " ms: " + String.join("; ", unmet));
                }
                run.pause(left.compareTo(until.interval()) < 0 ? left : until.interval());
            }
        }

        public boolean readOnly() {
            return true;
        }

        public boolean ownsTimeout() {
            return true;
        }
    }
}
