package dev.baton.runbooks.plan;

import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Scope;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.model.StepControl;
import dev.baton.runbooks.topology.TopologyView;
import dev.baton.runbooks.topology.TopologyView.Dc;
import dev.baton.runbooks.topology.TopologyView.DnsRecord;
import dev.baton.runbooks.topology.TopologyView.Server;
import dev.baton.runbooks.topology.TopologyView.Shard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runbook + request + topology to a concrete {@link Plan}. Reads nothing but its arguments, so a plan
 * is reproducible and a dry run is free. Every name a step resolves to (DC, shard, server, record,
 * HAProxy backend) must be in the topology: a plan that would touch anything else is refused here,
 * with every such problem named, before anything runs.
 */
public final class Planner {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private final TopologyView topology;

    public Planner(TopologyView topology) {
        this.topology = topology;
    }

    /** @throws PlanRefused naming every problem: unknown DCs or shards, missing servers, frontends or records */
    public Plan plan(Runbook runbook, PlanRequest request) {
        Resolution r = new Resolution(runbook, request);
        List<PlannedStep> steps = r.steps(runbook.steps(), "steps");
        List<PlannedStep> rollback = r.steps(runbook.rollback(), "rollback");
        if (!r.problems.isEmpty()) throw new PlanRefused(runbook.name(), r.problems);
        return new Plan(runbook.name(), request, r.shards, steps, rollback);
    }

    /** How a runbook writes {@code via}. */
    static String via(Step.DnsVia via) {
        return via.name().toLowerCase(Locale.ROOT);
    }

    /** One planning: the variables' values, and the problems met so far. */
    private final class Resolution {
        final List<String> problems = new ArrayList<>();
        final Map<String, String> variables = new HashMap<>();
        final List<String> shards;
        /** Per rollback step, the ways of the drain-dns steps that name it as their undo. */
        final Map<String, List<Step.DnsVia>> undoneVias = new HashMap<>();
        /** Where the step being resolved is, for messages. */
        String at = "";

        Resolution(Runbook runbook, PlanRequest request) {
            requestDc("from", request.from());
            requestDc("to", request.to());
            if (request.from() != null && request.from().equals(request.to())) {
                problems.add("'from' and 'to' are both " + request.from() + "; a failover needs two different DCs");
            }
            shards = selectShards(runbook.scope(), request);
            variables.putAll(runbook.parameters());
            for (var p : request.parameters().entrySet()) {
                if (!runbook.parameters().containsKey(p.getKey())) {
                    problems.add("parameter '" + p.getKey() + "' is not declared by runbook " + runbook.name() + " (declared: "
                            + runbook.parameters().keySet().stream().sorted().toList() + ")");
                }
                variables.put(p.getKey(), p.getValue());
            }
            variables.put("from", request.from());
            variables.put("to", request.to());
            variables.put("reason", request.reason());
            variables.put("shards", String.join(",", shards));
        }

        private void requestDc(String field, String dc) {
            if (dc == null || topology.dc(dc).isEmpty()) {
                problems.add("the request's '" + field + "' is " + (dc == null ? "missing" : "unknown DC '" + dc + "'")
                        + "; the topology has " + String.join(", ", topology.dcNames()));
            }
        }

        private List<String> selectShards(Scope scope, PlanRequest request) {
            for (String name : request.shards()) {
                Shard shard = topology.shard(name).orElse(null);
                if (shard == null) {
                    problems.add("the request names unknown shard '" + name + "'; the topology has " + String.join(", ", topology.shardNames()));
                } else if (!shard.primaryDc().equals(request.from())) {
                    problems.add("shard " + name + " has its primary in " + shard.primaryDc() + ", not in " + request.from());
                }
            }
            if (scope == Scope.SHARD && request.shards().size() != 1) {
                problems.add("this runbook moves exactly one shard; the request names " + (request.shards().isEmpty() ? "none"
                        : request.shards().size() + ": " + request.shards()));
            }
            if (!request.shards().isEmpty()) return request.shards();
            List<String> held = topology.shards().stream().filter(s -> s.primaryDc().equals(request.from())).map(Shard::name).toList();
            if (held.isEmpty() && scope == Scope.DATACENTER && topology.dc(request.from()).isPresent()) {
                problems.add("DC " + request.from() + " holds no shard primaries; nothing to move");
            }
            return held;
        }

        List<PlannedStep> steps(List<Step> steps, String section) {
            List<PlannedStep> planned = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                at = "step " + step.id() + " (" + section + "[" + i + "])";
                StepControl c = step.control();
                Action action = action(step);
                if (action instanceof Action.PointRecord p && c.undo() != null) {
                    undoneVias.computeIfAbsent(c.undo(), k -> new ArrayList<>()).add(p.via());
                }
                planned.add(new PlannedStep(c.id(), step.kind(), text(c.description()), c.timeout(), c.retry(), c.onFailure(),
                        c.pointOfNoReturn(), c.undo(), action));
            }
            return planned;
        }

        private Action action(Step step) {
            return switch (step) {
                case Step.Precheck p -> new Action.Check(p.conditions().stream().map(this::condition).toList(), p.catchUpWait());
                case Step.Approval a -> new Action.Approve(text(a.role()), text(a.prompt()));
                case Step.DrainDns d when d.action() == Step.DnsAction.RESTORE -> restoreRecord(d);
                case Step.DrainDns d -> pointRecord(d);
                case Step.DrainLb lb -> weights(lb);
                case Step.SwitchShards s -> switchShards(s);
                case Step.FlipWriter f -> {
                    Dc to = dc(f.to(), "to");
                    List<Action.ShardFlip> flips = new ArrayList<>();
                    for (Shard shard : shards(f.shards())) {
                        Server target = to == null ? null : server(shard, to.name());
                        if (target != null) flips.add(new Action.ShardFlip(shard.name(), target, flips(shard, target)));
                    }
                    yield new Action.FlipWriters(flips);
                }
                case Step.Consul c -> switch (c.operation()) {
                    case Step.ConsulOperation.KvPut kv -> new Action.ConsulKv(text(kv.key()), text(kv.value()));
                    case Step.ConsulOperation.CatalogTags t -> {
                        Dc dc = dc(t.dc(), "catalog.dc");
                        yield new Action.ConsulTags(text(t.service()), dc == null ? text(t.dc()) : dc.name(),
                                t.tags().stream().map(this::text).toList());
                    }
                    case Step.ConsulOperation.Restore r -> new Action.ConsulRestore();
                };
                case Step.HttpHook h -> {
                    String url = text(h.url());
                    if (!url.matches("https?://\\S+")) problems.add(at + ": url is '" + url + "', not an http:// or https:// URL");
                    yield new Action.Call(h.method(), url, text(h.body()));
                }
                case Step.WaitUntil w -> new Action.Wait(condition(w.condition()), w.interval());
                case Step.VerifyCheckout v -> {
                    Dc dc = dc(v.dc(), "dc");
                    yield new Action.Checkout(dc == null ? text(v.dc()) : dc.name(), dc == null ? null : dc.checkoutApp(),
                            shards(v.shards()).stream().map(Shard::name).toList());
                }
                case Step.Notify n -> new Action.Message(text(n.message()), n.channels().stream().map(this::text).toList());
            };
        }

        private Action.PointRecord pointRecord(Step.DrainDns d) {
            Dc dc = dc(d.to(), "to");
            DnsRecord record = record(d.record());
            Step.DnsVia via = d.via() != null ? d.via() : viaOfUndone(d.id());
            if (record != null) reachable(record, via);
            return new Action.PointRecord(record, dc == null ? text(d.to()) : dc.name(), dc == null ? null : dc.address(), via);
        }

        private Action.RestoreRecord restoreRecord(Step.DrainDns d) {
            DnsRecord record = record(null);
            Step.DnsVia via = d.via() != null ? d.via() : viaOfUndone(d.id());
            if (record != null) reachable(record, via);
            return new Action.RestoreRecord(record, via);
        }

        /**
         * A drain-dns that does not say how goes the way of the drain-dns steps it undoes (none for a
         * forward step: the API). Forward steps are planned first, so they are all known here.
         */
        private Step.DnsVia viaOfUndone(String id) {
            List<Step.DnsVia> ways = undoneVias.getOrDefault(id, List.of()).stream().distinct().toList();
            if (ways.size() > 1) {
                problems.add(at + ": it undoes drain-dns steps that go via " + ways.stream().map(Planner::via).toList()
                        + "; say which with via: api or via: rfc2136");
            }
            return ways.isEmpty() ? Step.DnsVia.API : ways.getFirst();
        }

        /** The server must offer the way the step goes: the API needs its URL, RFC 2136 a TSIG key to sign with. */
        private void reachable(DnsRecord record, Step.DnsVia via) {
            TopologyView.DnsServer server = record.server();
            switch (via) {
                case API -> {
                    if (server == null || server.api() == null) {
                        problems.add(at + ": via api changes " + record.name() + " through the PowerDNS HTTP API, but the topology's DNS"
                                + " server" + (server == null ? "" : " " + server.address()) + " has no API URL (dns.apiUrl); use via: rfc2136"
                                + " or add the API");
                    }
                }
                case RFC2136 -> {
                    if (server == null || server.tsig() == null) {
                        problems.add(at + ": via rfc2136 signs its updates of zone " + record.zone() + " with the topology's TSIG key,"
                                + " but the DNS server" + (server == null ? "" : " " + server.address()) + " has none (dns.tsig);"
                                + " use via: api or add the key");
                    }
                }
            }
        }

        private Condition condition(Condition c) {
            return switch (c) {
                case Condition.DcHealthy h -> new Condition.DcHealthy(dcName(h.dc(), "dc-healthy"));
                case Condition.DcDown d -> new Condition.DcDown(dcName(d.dc(), "dc-down"));
                case Condition.PrimariesIn p -> new Condition.PrimariesIn(dcName(p.dc(), "primaries-in"));
                case Condition.CheckoutOk o -> new Condition.CheckoutOk(dcName(o.dc(), "checkout-ok"));
                case Condition.MaxLag m -> m;
                case Condition.Window w -> w;
            };
        }

        private Action.SetWeights weights(Step.DrainLb lb) {
            Dc from = dc(lb.from(), "from");
            Dc to = dc(lb.to(), "to");
            List<Action.Weights> haproxies = new ArrayList<>();
            for (Dc dc : topology.datacenters()) {
                if (dc.checkout() == null) {
                    problems.add(at + ": DC " + dc.name() + " has no checkout frontend in the topology, so its HAProxy's weights cannot be set");
                    continue;
                }
                Map<String, Integer> after = new LinkedHashMap<>();
                switch (lb.action()) {
                    case DRAIN -> {
                        if (from != null) after.put(from.name(), 0);
                        if (to != null) after.put(to.name(), 100);
                    }
                    case UNDRAIN -> topology.dcNames().forEach(name -> after.put(name, name.equals(dc.name()) ? 100 : 0));
                    case RESTORE -> {
                        // what the undone step recorded, known only when it ran
                    }
                }
                haproxies.add(new Action.Weights(dc.name(), dc.haproxyRuntime(), dc.checkout().backend(), after));
            }
            return new Action.SetWeights(lb.action(), from == null ? text(lb.from()) : from.name(), to == null ? text(lb.to()) : to.name(),
                    haproxies);
        }

        private Action.SwitchShards switchShards(Step.SwitchShards s) {
            Dc from = dc(s.from(), "from");
            Dc to = dc(s.to(), "to");
            List<Action.ShardMove> moves = new ArrayList<>();
            for (Shard shard : shards(s.shards())) {
                if (from == null || to == null) continue;
                if (!shard.primaryDc().equals(from.name())) {
                    problems.add(at + ": shard " + shard.name() + " has its primary in " + shard.primaryDc() + ", not in " + from.name());
                    continue;
                }
                Server fence = server(shard, from.name());
                Server candidate = server(shard, to.name());
                if (fence != null && candidate != null) moves.add(new Action.ShardMove(shard.name(), fence, candidate, flips(shard, candidate)));
            }
            int size = s.concurrency() == Step.SwitchShards.ALL_AT_ONCE ? Math.max(1, moves.size()) : s.concurrency();
            List<List<Action.ShardMove>> groups = new ArrayList<>();
            for (int i = 0; i < moves.size(); i += size) groups.add(moves.subList(i, Math.min(moves.size(), i + size)));
            return new Action.SwitchShards(from == null ? text(s.from()) : from.name(), to == null ? text(s.to()) : to.name(),
                    s.perShardTimeout(), groups);
        }

        /** Every DC's writer frontend of the shard, repointed at {@code target}: each HAProxy must have one. */
        private List<Action.WriterFlip> flips(Shard shard, Server target) {
            List<Action.WriterFlip> flips = new ArrayList<>();
            for (Dc dc : topology.datacenters()) {
                var writer = dc.writer(shard.name());
                if (writer.isEmpty()) {
                    problems.add(at + ": the HAProxy of DC " + dc.name() + " has no writer frontend for shard " + shard.name());
                    continue;
                }
                flips.add(new Action.WriterFlip(dc.name(), dc.haproxyRuntime(), writer.get().frontend(), writer.get().backend(),
                        writer.get().server(), target));
            }
            return flips;
        }

        private Server server(Shard shard, String dc) {
            Server s = shard.serverIn(dc).orElse(null);
            if (s == null) problems.add(at + ": shard " + shard.name() + " has no server in DC " + dc);
            return s;
        }

        private List<Shard> shards(List<String> written) {
            List<String> names = new ArrayList<>();
            for (String w : written) {
                if (w.equals("${shards}")) names.addAll(shards);
                else names.add(text(w));
            }
            List<Shard> found = new ArrayList<>();
            for (String name : names.stream().distinct().toList()) {
                topology.shard(name).ifPresentOrElse(found::add, () -> problems.add(at + ": shard '" + name
                        + "' is not in the topology; it has " + String.join(", ", topology.shardNames())));
            }
            return found;
        }

        private DnsRecord record(String written) {
            if (topology.records().isEmpty()) {
                problems.add(at + ": the topology has no DNS record to point");
                return null;
            }
            if (written == null) return topology.records().getFirst();
            String name = text(written);
            String fqdn = name.endsWith(".") ? name : name + ".";
            return topology.records().stream().filter(r -> r.name().equals(fqdn)).findFirst().orElseGet(() -> {
                problems.add(at + ": DNS record '" + name + "' is not in the topology; it has "
                        + String.join(", ", topology.records().stream().map(DnsRecord::name).toList()));
                return null;
            });
        }

        private String dcName(String written, String field) {
            Dc dc = dc(written, field);
            return dc == null ? text(written) : dc.name();
        }

        /** The DC a field names after resolution, or null after recording why it is not in the topology. */
        private Dc dc(String written, String field) {
            String name = text(written);
            Dc dc = topology.dc(name).orElse(null);
            if (dc == null && !unresolvable(written)) {
                problems.add(at + ": " + field + " is DC '" + name + "', which is not in the topology; it has "
                        + String.join(", ", topology.dcNames()));
            }
            return dc;
        }

        /** A field built from a request DC already reported as unknown: one problem is enough. */
        private boolean unresolvable(String written) {
            return (written.contains("${from}") && topology.dc(String.valueOf(variables.get("from"))).isEmpty())
                    || (written.contains("${to}") && topology.dc(String.valueOf(variables.get("to"))).isEmpty());
        }

        String text(String written) {
            if (written == null) return null;
            Matcher m = VARIABLE.matcher(written);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(variables.get(m.group(1)))));
            m.appendTail(sb);
            return sb.toString();
        }
    }

}
