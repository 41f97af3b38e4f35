package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ActiveDc;
import dev.baton.orchestrator.consul.ActiveDcChange;
import dev.baton.orchestrator.consul.ConsulChange;
import dev.baton.orchestrator.consul.ConsulDirector;
import dev.baton.orchestrator.consul.ConsulDirectorException;
import dev.baton.orchestrator.consul.ConsulTarget;
import dev.baton.orchestrator.consul.KvChange;
import dev.baton.orchestrator.consul.TagChange;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.PlannedStep;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The consul steps, through the {@link ConsulDirector} of the configured target. A KV step naming
 * the target's own key writes the active-DC document (its value names the active DC; each shard's
 * primary DC is asked of the servers at that moment) with the director's check-and-set and the
 * per-DC active/standby tags; any other key is a plain check-and-set write of the value. Each step
 * records what it is about to change before it writes; a rollback's {@code action: restore} puts it back.
 */
final class ConsulSteps {
    private ConsulSteps() {
    }

    static List<String> put(Evacuation run, String step, Action.ConsulKv kv) {
        ConsulTarget target = target(run);
        try (ConsulDirector consul = new ConsulDirector(target, run.context().config().topology())) {
            if (!kv.key().equals(target.key())) {
                // Recorded before the write, so a rollback knows of a write that may have happened when the step failed.
                KvChange intent = consul.previewKv(kv.key(), kv.value());
                record(run, step, new ConsulChange(intent, List.of()));
                KvChange change = consul.applyKv(intent);
                return List.of(change.changed() ? describe(target, change) : "Consul " + target.url() + " key " + kv.key() + " already "
                        + quote(change.after()));
            }
            ActiveDc wanted = new ActiveDc(kv.value(), run.context().planner().primaryDcs(), run.failover().id(), Instant.now());
            ActiveDcChange intent = consul.preview(wanted);
            record(run, step, new ConsulChange(intent.kv(), intent.tags()));
            ActiveDcChange change = consul.apply(intent);
            List<String> lines = new ArrayList<>();
            lines.add(change.kvChanged()
                    ? "Consul " + target.url() + " key " + target.key() + ": active DC " + (change.before() == null ? "(none)" : change.before().activeDc())
                    + " -> " + change.after().activeDc() + ", primaries " + change.after().shards()
                    : "Consul " + target.url() + " key " + target.key() + " already names " + change.after().activeDc() + " with primaries " + change.after().shards());
            change.tags().stream().filter(TagChange::changed).map(ConsulSteps::describe).forEach(lines::add);
            return lines;
        }
    }

    static List<String> tag(Evacuation run, String step, Action.ConsulTags tags) {
        ConsulTarget target = target(run);
        try (ConsulDirector consul = new ConsulDirector(target, run.context().config().topology())) {
            TagChange intent = consul.previewTags(tags.service(), tags.dc(), tags.tags());
            record(run, step, new ConsulChange(null, List.of(intent)));
            TagChange change = consul.applyTags(intent);
            return List.of(change.changed() ? describe(change)
                    : "Consul catalog " + change.service() + " in " + change.dc() + " already tagged " + change.after());
        }
    }

    /**
     * Puts back what consul step {@code step} recorded: its tags, newest first, then its key; each only
     * while it still holds what the step wrote, so a change made since is refused, never clobbered.
     * Every part is tried; the refused ones fail the undo together, naming what was restored meanwhile.
     * Nothing recorded means the step failed before it read anything: it changed nothing.
     */
    static List<String> restore(Evacuation run, String step, PlannedStep rollback) {
        ConsulChange done = run.failover().traffic().consulSteps().get(step);
        if (done == null) return List.of();
        if (!(rollback.action() instanceof Action.ConsulRestore)) {
            throw new IllegalStateException("rollback step " + rollback.id() + " is a " + rollback.kind() + ", which cannot undo " + step);
        }
        ConsulTarget target = target(run);
        List<String> restored = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        try (ConsulDirector consul = new ConsulDirector(target, run.context().config().topology())) {
            for (TagChange tags : done.tags().reversed()) {
                try {
                    TagChange undo = consul.restore(tags);
                    if (undo.changed()) restored.add(describe(undo));
                } catch (ConsulDirectorException e) {
                    refused.add(e.getMessage());
                }
            }
            if (done.kv() != null) {
                try {
                    KvChange undo = consul.restore(done.kv());
                    if (undo.changed()) restored.add(describe(target, undo));
                } catch (ConsulDirectorException e) {
                    refused.add(e.getMessage());
                }
            }
        }
        if (!refused.isEmpty()) {
            throw new ConsulDirectorException(String.join("; ", refused) + (restored.isEmpty() ? "" : "; restored meanwhile: "
                    + String.join("; ", restored)));
        }
        return restored;
    }

    /**
     * Records what the step is about to change. A retry keeps what the first attempt found before, as
     * that attempt may have written already: the undo must put back what was there before the step.
     */
    private static void record(Evacuation run, String step, ConsulChange next) {
        ConsulChange first = run.failover().traffic().consulSteps().get(step);
        ConsulChange kept = first == null ? next : next.since(first);
        run.recordTraffic(t -> t.withConsul(step, kept));
    }

    private static ConsulTarget target(Evacuation run) {
        // Refused before the failover started (StepHooks.unconfigured); a config without Consul cannot reach here.
        return run.context().config().consulTarget().orElseThrow(() -> new IllegalStateException("no Consul is configured"));
    }

    private static String describe(TagChange change) {
        return "Consul catalog " + change.service() + " in " + change.dc() + ": tags "
                + (change.before() == null ? "(not registered)" : change.before()) + " -> "
                + (change.after() == null ? "(deregistered)" : change.after());
    }

    private static String describe(ConsulTarget target, KvChange change) {
        return "Consul " + target.url() + " key " + change.key() + ": " + quote(change.before()) + " -> "
                + (change.after() == null ? "(deleted)" : quote(change.after()));
    }

    private static String quote(String value) {
        return value == null ? "(absent)" : "'" + value + "'";
    }
}
