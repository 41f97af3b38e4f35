package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ActiveDc;
import dev.baton.orchestrator.consul.ActiveDcChange;
import dev.baton.orchestrator.consul.ConsulDirector;
import dev.baton.orchestrator.consul.ConsulTarget;
import dev.baton.orchestrator.consul.KvChange;
import dev.baton.orchestrator.consul.TagChange;
import dev.baton.runbooks.plan.Action;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The consul steps, through the {@link ConsulDirector} of the configured target. A KV step naming
 * the target's own key writes the active-DC document (its value names the active DC; each shard's
 * primary DC is asked of the servers at that moment) with the director's check-and-set and the
 * per-DC active/standby tags; any other key is a plain check-and-set write of the value.
 */
final class ConsulSteps {
    private ConsulSteps() {
    }

    static List<String> put(Evacuation run, Action.ConsulKv kv) {
        ConsulTarget target = target(run);
        try (ConsulDirector consul = new ConsulDirector(target, run.context().config().topology())) {
            if (!kv.key().equals(target.key())) {
                KvChange change = consul.putKv(kv.key(), kv.value());
                return List.of(change.changed() ? "Consul " + target.url() + " key " + kv.key() + ": " + quote(change.before()) + " -> "
                        + quote(change.after()) : "Consul " + target.url() + " key " + kv.key() + " already " + quote(change.after()));
            }
            ActiveDc wanted = new ActiveDc(kv.value(), run.context().planner().primaryDcs(), run.failover().id(), Instant.now());
            ActiveDcChange change = consul.activate(wanted);
            List<String> lines = new ArrayList<>();
            lines.add(change.kvChanged()
                    ? "Consul " + target.url() + " key " + target.key() + ": active DC " + (change.before() == null ? "(none)" : change.before().activeDc())
                    + " -> " + change.after().activeDc() + ", primaries " + change.after().shards()
                    : "Consul " + target.url() + " key " + target.key() + " already names " + change.after().activeDc() + " with primaries " + change.after().shards());
            change.tags().stream().filter(TagChange::changed).map(ConsulSteps::describe).forEach(lines::add);
            return lines;
        }
    }

    static List<String> tag(Evacuation run, Action.ConsulTags tags) {
        ConsulTarget target = target(run);
        try (ConsulDirector consul = new ConsulDirector(target, run.context().config().topology())) {
            TagChange change = consul.setTags(tags.service(), tags.dc(), tags.tags());
            return List.of(change.changed() ? describe(change)
                    : "Consul catalog " + change.service() + " in " + change.dc() + " already tagged " + change.after());
        }
    }

    private static ConsulTarget target(Evacuation run) {
        // Refused before the failover started (StepHooks.unconfigured); a config without Consul cannot reach here.
        return run.context().config().consulTarget().orElseThrow(() -> new IllegalStateException("no Consul is configured"));
    }

    private static String describe(TagChange change) {
        return "Consul catalog " + change.service() + " in " + change.dc() + ": tags "
                + (change.before() == null ? "(not registered)" : change.before()) + " -> " + change.after();
    }

    private static String quote(String value) {
        return value == null ? "(absent)" : "'" + value + "'";
    }
}
