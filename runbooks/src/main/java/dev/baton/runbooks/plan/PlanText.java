package dev.baton.runbooks.plan;

import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.Retry;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.topology.TopologyView;
import dev.baton.runbooks.topology.TopologyView.DnsRecord;
import dev.baton.runbooks.topology.TopologyView.Server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A plan as an SRE reviews it: each step, then one line per thing it touches, parallel groups marked. */
public final class PlanText {
    private PlanText() {
    }

    public static String render(Plan plan) {
        StringBuilder sb = new StringBuilder();
        PlanRequest r = plan.request();
        sb.append("plan: runbook ").append(plan.runbook()).append(", from ").append(r.from()).append(" to ").append(r.to())
                .append(", shards ").append(plan.shards().isEmpty() ? "(none)" : String.join(",", plan.shards()))
                .append(r.reason().isBlank() ? "" : ", reason: " + r.reason()).append('\n');
        List<PlannedStep> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) step(sb, (i + 1) + ".", steps.get(i));
        if (!plan.rollback().isEmpty()) {
            sb.append("rollback steps (each runs only as a done step's undo, newest first, when a failure rolls back):\n");
            for (PlannedStep s : plan.rollback()) step(sb, "-", s);
        }
        return sb.toString();
    }

    private static void step(StringBuilder sb, String number, PlannedStep s) {
        sb.append(number).append(' ').append(s.id()).append(" [").append(s.kind()).append("] timeout ").append(duration(s.timeout()))
                .append(retry(s.retry())).append(", on failure ").append(s.onFailure().name().toLowerCase(Locale.ROOT))
                .append(s.undo() == null ? "" : ", undo " + s.undo()).append(s.pointOfNoReturn() ? ", POINT OF NO RETURN" : "")
                .append('\n');
        if (!s.description().isBlank()) sb.append("     ").append(s.description()).append('\n');
        for (String line : touches(s.action())) sb.append("     ").append(line).append('\n');
    }

    /** One line per thing the action touches, in order. */
    static List<String> touches(Action action) {
        return switch (action) {
            case Action.Check c -> c.conditions().stream().map(cond -> "check " + condition(cond)
                    + (cond instanceof Condition.MaxLag && c.catchUpWait().isPositive()
                    ? ", waiting up to " + duration(c.catchUpWait()) + " for a candidate still catching up" : "")).toList();
            case Action.Approve a -> List.of("wait for a person with role " + a.role() + " to approve: " + a.prompt());
            case Action.PointRecord p -> List.of("DNS " + p.record().name() + " (zone " + p.record().zone() + ") A -> " + p.address()
                    + " (DC " + p.dc() + ", TTL " + p.record().ttl() + ")", "  " + dnsWay(p.record(), p.via()));
            case Action.RestoreRecord r -> List.of("DNS " + r.record().name() + " (zone " + r.record().zone() + ") A -> the address "
                    + "the undone step found there (TTL " + r.record().ttl() + ")", "  " + dnsWay(r.record(), r.via()));
            case Action.SetWeights w -> w.haproxies().stream().map(h -> "HAProxy " + h.dc() + " at " + h.runtime() + " backend "
                    + h.backend() + ": " + (h.after().isEmpty() ? "weights restored to what the undone step recorded" : weights(h.after())))
                    .toList();
            case Action.SwitchShards s -> switches(s);
            case Action.FlipWriters f -> f.shards().stream().flatMap(shard -> shard.flips().stream().map(flip -> flip(shard.shard(), flip)))
                    .toList();
            case Action.ConsulKv kv -> List.of("Consul KV " + kv.key() + " = " + kv.value());
            case Action.ConsulTags t -> List.of("Consul catalog service " + t.service() + " in " + t.dc() + " tags " + t.tags());
            case Action.ConsulRestore r -> List.of("Consul: the key's value or the tags the undone step recorded put back (a key it "
                    + "created deleted), refused if changed since");
            case Action.Call c -> List.of("HTTP " + c.method() + " " + c.url());
            case Action.Wait w -> List.of("wait until " + condition(w.condition()) + ", checking every " + duration(w.interval()));
            case Action.Checkout c -> c.shards().stream().map(shard -> "synthetic checkout on " + shard + " at DC " + c.dc() + "'s app "
                    + c.app()).toList();
            case Action.Message m -> List.of("notify" + (m.channels().isEmpty() ? "" : " " + m.channels()) + ": " + m.text());
        };
    }

    /** Which server the change goes to and how; the TSIG key by name only. */
    private static String dnsWay(DnsRecord record, Step.DnsVia via) {
        TopologyView.DnsServer server = record.server();
        return switch (via) {
            case API -> "via the PowerDNS HTTP API at " + server.api();
            case RFC2136 -> "via RFC 2136 UPDATE to " + server.address() + " (TCP), signed with TSIG key " + server.tsig().name()
                    + " (" + server.tsig().algorithm() + ")";
        };
    }

    private static List<String> switches(Action.SwitchShards s) {
        List<String> lines = new ArrayList<>();
        for (int g = 0; g < s.groups().size(); g++) {
            List<Action.ShardMove> group = s.groups().get(g);
            lines.add("group " + (g + 1) + " of " + s.groups().size() + ", in parallel: "
                    + group.stream().map(Action.ShardMove::shard).collect(Collectors.joining(", "))
                    + " (each within " + duration(s.perShardTimeout()) + ")");
            for (Action.ShardMove m : group) {
                lines.add("  " + m.shard() + ": fence " + server(m.fence()) + ", promote " + server(m.candidate()));
                m.flips().forEach(f -> lines.add("  " + flip(m.shard(), f)));
            }
        }
        return lines;
    }

    private static String flip(String shard, Action.WriterFlip f) {
        return shard + ": HAProxy " + f.dc() + " at " + f.runtime() + " " + f.backend() + "/" + f.server() + " (frontend "
                + f.frontend() + ") -> " + f.target().address() + " (" + f.target().id() + ")";
    }

    private static String server(Server s) {
        return s.id() + " " + s.address();
    }

    private static String weights(Map<String, Integer> after) {
        return after.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static String condition(Condition c) {
        return switch (c) {
            case Condition.DcHealthy h -> "DC " + h.dc() + " is HEALTHY";
            case Condition.DcDown d -> "DC " + d.dc() + " is DOWN";
            case Condition.PrimariesIn p -> "DC " + p.dc() + " holds the shards' primaries";
            case Condition.CheckoutOk o -> "a synthetic checkout succeeds in DC " + o.dc();
            case Condition.MaxLag m -> "every candidate lags at most " + duration(m.max());
            case Condition.Window w -> "now is within " + w.from() + "-" + w.to() + " " + w.zone() + " on "
                    + w.days().stream().sorted().map(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT)).collect(Collectors.joining(","));
        };
    }

    private static String retry(Retry r) {
        return r.attempts() == 0 ? "" : ", " + r.attempts() + " retr" + (r.attempts() == 1 ? "y" : "ies") + " from " + duration(r.backoff());
    }

    static String duration(Duration d) {
        return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() % 60 != 0 || d.toSeconds() < 60 ? d.toSeconds() + "s"
                : d.toMinutes() + "m";
    }
}
