package dev.baton.runbooks.check;

import dev.baton.runbooks.model.Condition;
import dev.baton.runbooks.model.OnFailure;
import dev.baton.runbooks.model.Retry;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Scope;
import dev.baton.runbooks.model.Step;
import dev.baton.runbooks.model.StepControl;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * YAML text to a {@link Runbook}, reporting every structural problem (syntax, unknown or missing
 * fields, wrong types, bad durations, unknown kinds and variables) with its line and column.
 * SnakeYAML's node API is used rather than Jackson data binding: every node keeps its position, and
 * walking the tree ourselves goes on past the first problem instead of stopping at it.
 */
public final class RunbookParser {
    /** Runbooks are a page or two; anything near this is a mistake or an attack, refused before parsing. */
    public static final int MAX_CHARS = 1 << 20;
    /** Past this many, more problems only bury the first ones. */
    static final int MAX_PROBLEMS = 100;
    /** Anchors for shared retry settings are fine; "billion laughs" needs many. */
    private static final int MAX_ALIASES = 20;
    /** The schema nests five levels at most; deeper input is malformed, and deep input overflows stacks. */
    private static final int MAX_DEPTH = 20;

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_PER_SHARD_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    /**
     * A candidate catches up from the previous move within a second or two on a healthy link (bench evacuate
     * was refused at a measured round for exactly that); a few seconds covers it without hiding a real lag.
     */
    public static final Duration DEFAULT_CATCH_UP_WAIT = Duration.ofSeconds(5);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final String DURATION = "a duration such as 500ms, 10s, 2m, 1h or PT10S";
    private static final String POSITIVE_DURATION = "a positive duration such as 500ms, 10s, 2m, 1h or PT10S";
    private static final List<String> COMMON = List.of("id", "kind", "description", "timeout", "retries", "onFailure",
            "pointOfNoReturn", "undo");
    private static final Map<String, List<String>> KIND_FIELDS = Map.ofEntries(
            Map.entry("precheck", List.of("conditions", "catchUpWait")),
            Map.entry("approval", List.of("role", "prompt")),
            Map.entry("drain-dns", List.of("action", "record", "to", "via")),
            Map.entry("drain-lb", List.of("action", "from", "to")),
            Map.entry("switch-shards", List.of("from", "to", "shards", "concurrency", "perShardTimeout")),
            Map.entry("flip-writer", List.of("shards", "to")),
            Map.entry("consul", List.of("action", "kv", "catalog")),
            Map.entry("http-hook", List.of("method", "url", "body")),
            Map.entry("wait-until", List.of("condition", "interval")),
            Map.entry("verify-checkout", List.of("dc", "shards")),
            Map.entry("notify", List.of("message", "channels")));
    private static final List<String> CONDITIONS = List.of("dc-healthy", "dc-down", "max-lag", "primaries-in", "checkout-ok",
            "window");

    /**
     * @param runbook null when there is any problem
     * @param where   where each path of the document is, for the validator's messages
     */
    public record Parsed(Runbook runbook, SourceMap where, List<Problem> problems) {
    }

    private RunbookParser() {
    }

    public static Parsed parse(String source, String text) {
        Walk walk = new Walk(new SourceMap(source));
        if (text.length() > MAX_CHARS) {
            walk.problem("", "a document of " + text.length() + " characters", "at most " + MAX_CHARS + " characters (1 MiB)");
            return walk.result(null);
        }
        Node root;
        try {
            root = yaml().compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            walk.problems.add(new Problem(source, at == null ? 1 : at.getLine() + 1, at == null ? 1 : at.getColumn() + 1, "",
                    "malformed YAML (" + what + (e.getContext() != null ? ", " + e.getContext() : "") + ")", "well-formed YAML"));
            return walk.result(null);
        } catch (YAMLException e) {
            // The loader's limits (aliases, nesting, size) end here, without a position.
            walk.problem("", "YAML the loader refuses (" + e.getMessage() + ")", "well-formed YAML with at most "
                    + MAX_ALIASES + " aliases and " + MAX_DEPTH + " levels of nesting");
            return walk.result(null);
        }
        if (root == null) {
            walk.problem("", "an empty document", "a runbook: a mapping with name and steps");
            return walk.result(null);
        }
        Runbook runbook = walk.runbook(root);
        return walk.result(runbook);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_CHARS);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        return new Yaml(options);
    }

    /** Parses {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601; null when it is neither. */
    static Duration duration(String text) {
        Matcher m = SHORT_DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** One pass over the node tree; collects problems and positions as it goes. */
    private static final class Walk {
        final SourceMap where;
        final List<Problem> problems = new ArrayList<>();
        Set<String> variables = Set.copyOf(Runbook.BUILT_IN_VARIABLES);

        Walk(SourceMap where) {
            this.where = where;
        }

        Parsed result(Runbook runbook) {
            // In reading order, whatever order the walk met them.
            List<Problem> all = new ArrayList<>(problems);
            all.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
            if (all.size() > MAX_PROBLEMS) {
                Problem last = all.get(MAX_PROBLEMS - 1);
                all = new ArrayList<>(all.subList(0, MAX_PROBLEMS - 1));
                all.add(new Problem(last.source(), last.line(), last.column(), "", (problems.size() - MAX_PROBLEMS + 1)
                        + " more problems not shown", "a document closer to a runbook"));
            }
            return new Parsed(all.isEmpty() ? runbook : null, where, List.copyOf(all));
        }

        void problem(String path, String found, String expected) {
            problems.add(where.problem(path, found, expected));
        }

        void mark(String path, Node node) {
            Mark m = node.getStartMark();
            where.put(path, m.getLine() + 1, m.getColumn() + 1);
        }

        Runbook runbook(Node root) {
            Fields f = fields(root, "", List.of("name", "description", "scope", "parameters", "steps", "rollback"));
            if (f == null) return null;
            String name = f.name("name", true);
            String description = f.text("description", false, "");
            Scope scope = f.choice("scope", Scope.class, Scope.DATACENTER);
            Map<String, String> parameters = parameters(f.node("parameters"), "parameters");
            variables = Stream.concat(Runbook.BUILT_IN_VARIABLES.stream(), parameters.keySet().stream()).collect(Collectors.toSet());
            List<Step> steps = steps(f.node("steps"), "steps", true);
            List<Step> rollback = steps(f.node("rollback"), "rollback", false);
            return problems.isEmpty() ? new Runbook(name, description, scope, parameters, steps, rollback) : null;
        }

        Map<String, String> parameters(Node node, String path) {
            Map<String, String> parameters = new LinkedHashMap<>();
            if (node == null) return parameters;
            Fields f = fields(node, path, null);
            if (f == null) return parameters;
            for (String key : f.keys()) {
                if (!NAME.matcher(key).matches()) f.problemAtKey(key, "parameter name '" + key + "'", "a name of lower-case letters, digits and -");
                if (Runbook.BUILT_IN_VARIABLES.contains(key)) f.problemAtKey(key, "parameter '" + key + "'", "a name other than the built-in variables " + Runbook.BUILT_IN_VARIABLES);
                String value = f.text(key, true, null);
                if (value != null) parameters.put(key, value);
            }
            return parameters;
        }

        List<Step> steps(Node node, String path, boolean required) {
            List<Step> steps = new ArrayList<>();
            if (node == null) {
                if (required) problem(path, "no " + path, "a list of steps");
                return steps;
            }
            List<Node> items = sequence(node, path, "a list of steps");
            if (items == null) return steps;
            if (required && items.isEmpty()) problem(path, "an empty list", "at least one step");
            for (int i = 0; i < items.size(); i++) {
                Step step = step(items.get(i), path + "[" + i + "]");
                if (step != null) steps.add(step);
            }
            return steps;
        }

        Step step(Node node, String path) {
            mark(path, node);
            if (!(node instanceof MappingNode)) {
                problem(path, describe(node), "a step: a mapping with id and kind");
                return null;
            }
            String kind = scalarOf(node, "kind");
            List<String> kindFields = kind == null ? null : KIND_FIELDS.get(kind);
            // With an unknown kind, only its common fields can be judged; the kind itself is the problem to report.
            List<String> known = kindFields == null ? null : Stream.concat(COMMON.stream(), kindFields.stream()).toList();
            Fields f = fields(node, path, known);
            if (f == null) return null;
            if (kindFields == null) {
                if (kind == null) problem(path + ".kind", f.has("kind") ? describe(f.node("kind")) : "no kind", "one of " + Step.Kinds.ALL);
                else problem(path + ".kind", "kind '" + kind + "'", "one of " + Step.Kinds.ALL);
            }
            StepControl control = control(f, path);
            if (kindFields == null) return null;
            Step step = switch (kind) {
                case "precheck" -> precheck(f, path, control);
                case "approval" -> new Step.Approval(control, f.text("role", false, "sre"), f.text("prompt", true, null));
                case "drain-dns" -> drainDns(f, path, control);
                case "drain-lb" -> new Step.DrainLb(control, f.choice("action", Step.LbAction.class, Step.LbAction.DRAIN),
                        f.text("from", false, "${from}"), f.text("to", false, "${to}"));
                case "switch-shards" -> new Step.SwitchShards(control, f.text("from", false, "${from}"), f.text("to", false, "${to}"),
                        f.shards("shards"), f.integer("concurrency", Step.SwitchShards.ALL_AT_ONCE, 1, 64),
                        f.duration("perShardTimeout", DEFAULT_PER_SHARD_TIMEOUT));
                case "flip-writer" -> new Step.FlipWriter(control, f.shards("shards"), f.text("to", false, "${to}"));
                case "consul" -> new Step.Consul(control, consul(f, path));
                case "http-hook" -> new Step.HttpHook(control, f.choice("method", Method.class, Method.POST).name(), f.url("url"),
                        f.text("body", false, ""));
                case "wait-until" -> {
                    if (!f.has("timeout")) problem(path + ".timeout", "no timeout", "a timeout: how long wait-until waits, as " + DURATION);
                    yield new Step.WaitUntil(control, condition(f.node("condition"), path + ".condition", true),
                            f.duration("interval", DEFAULT_INTERVAL));
                }
                case "verify-checkout" -> new Step.VerifyCheckout(control, f.text("dc", false, "${to}"), f.shards("shards"));
                case "notify" -> new Step.Notify(control, f.text("message", true, null), f.texts("channels"));
                default -> throw new IllegalStateException("kind " + kind + " has fields but no case");
            };
            return step;
        }

        /**
         * A precheck's {@code catchUpWait}: only with a max-lag condition (nothing else is waited for), and at
         * most half the step's timeout, which the checks themselves need the rest of (each asks every shard's
         * servers). Unwritten, it is {@link #DEFAULT_CATCH_UP_WAIT}, shortened to half a shorter timeout.
         */
        Step.Precheck precheck(Fields f, String path, StepControl control) {
            List<Condition> conditions = conditions(f.node("conditions"), path + ".conditions");
            boolean lag = conditions.stream().anyMatch(Condition.MaxLag.class::isInstance);
            Duration limit = control.timeout().dividedBy(2);
            if (!f.has("catchUpWait")) {
                return new Step.Precheck(control, conditions, !lag ? Duration.ZERO
                        : DEFAULT_CATCH_UP_WAIT.compareTo(limit) <= 0 ? DEFAULT_CATCH_UP_WAIT : limit);
            }
            Duration wait = f.waitDuration("catchUpWait");
            if (wait == null) return new Step.Precheck(control, conditions, Duration.ZERO);
            String at = path + ".catchUpWait";
            if (!lag && !conditions.isEmpty()) {
                problem(at, "catchUpWait without a max-lag condition", "a max-lag condition in conditions: only a candidate "
                        + "catching up is waited for, every other condition refuses at once");
            }
            if (wait.compareTo(limit) > 0) {
                problem(at, "'" + f.scalarText("catchUpWait") + "', more than half the step's timeout of " + shortly(control.timeout()),
                        "at most " + shortly(limit) + ": the checks themselves need the other half (or a longer timeout)");
            }
            return new Step.Precheck(control, conditions, wait);
        }

        static String shortly(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }

        Step.DrainDns drainDns(Fields f, String path, StepControl control) {
            Step.DnsAction action = f.choice("action", Step.DnsAction.class, Step.DnsAction.POINT);
            if (action == Step.DnsAction.RESTORE) {
                for (String given : List.of("to", "record")) {
                    if (f.has(given)) problem(path + "." + given, given + " with action: restore", "no " + given + ": a restore points "
                            + "the record the undone drain-dns step changed back at the address it found there");
                }
                return new Step.DrainDns(control, action, null, null, f.choice("via", Step.DnsVia.class, null));
            }
            return new Step.DrainDns(control, Step.DnsAction.POINT, f.text("record", false, null), f.text("to", false, "${to}"),
                    f.choice("via", Step.DnsVia.class, null));
        }

        StepControl control(Fields f, String path) {
            String id = f.name("id", true);
            Retry retry = retry(f.node("retries"), path + ".retries");
            return new StepControl(id, f.text("description", false, ""), f.duration("timeout", DEFAULT_TIMEOUT), retry,
                    f.choice("onFailure", OnFailure.class, OnFailure.STOP), f.bool("pointOfNoReturn", false),
                    f.name("undo", false));
        }

        Retry retry(Node node, String path) {
            if (node == null) return Retry.NONE;
            Fields f = fields(node, path, List.of("attempts", "backoff", "multiplier"));
            if (f == null) return Retry.NONE;
            int attempts = f.integer("attempts", 0, 0, 10);
            if (!f.has("attempts")) problem(path + ".attempts", "no attempts", "attempts: how many times to retry (0 to 10)");
            Duration backoff = f.duration("backoff", Duration.ofSeconds(1));
            double multiplier = f.integer("multiplier", 2, 1, 10);
            return new Retry(attempts, backoff, multiplier);
        }

        Step.ConsulOperation consul(Fields f, String path) {
            ConsulAction action = f.choice("action", ConsulAction.class, null);
            // A misspelt action is reported as such, not as a write that lacks its kv or catalog.
            if (action == null && f.has("action")) return null;
            if (action == ConsulAction.RESTORE) {
                for (String given : List.of("kv", "catalog")) {
                    if (f.has(given)) problem(path + "." + given, given + " with action: restore", "no kv or catalog: a restore puts "
                            + "back what the undone consul step recorded before it wrote");
                }
                return new Step.ConsulOperation.Restore();
            }
            if (f.has("kv") == f.has("catalog")) {
                problem(path, f.has("kv") ? "both kv and catalog" : "neither kv nor catalog", "exactly one of kv: {key, value} or catalog: {service, dc, tags}");
                return null;
            }
            if (f.has("kv")) {
                Fields kv = fields(f.node("kv"), path + ".kv", List.of("key", "value"));
                return kv == null ? null : new Step.ConsulOperation.KvPut(kv.text("key", true, null), kv.text("value", true, null));
            }
            Fields c = fields(f.node("catalog"), path + ".catalog", List.of("service", "dc", "tags"));
            return c == null ? null : new Step.ConsulOperation.CatalogTags(c.text("service", true, null), c.text("dc", false, "${to}"),
                    c.texts("tags"));
        }

        List<Condition> conditions(Node node, String path) {
            List<Condition> conditions = new ArrayList<>();
            if (node == null) {
                problem(path, "no conditions", "a list of conditions, each one of " + CONDITIONS);
                return conditions;
            }
            List<Node> items = sequence(node, path, "a list of conditions, each one of " + CONDITIONS);
            if (items == null) return conditions;
            for (int i = 0; i < items.size(); i++) {
                Condition c = condition(items.get(i), path + "[" + i + "]", false);
                if (c != null) conditions.add(c);
            }
            return conditions;
        }

        /** A condition is a one-key mapping: {@code dc-healthy: ${to}}, {@code max-lag: 1s}, {@code window: {...}}. */
        Condition condition(Node node, String path, boolean required) {
            if (node == null) {
                if (required) problem(path, "no condition", "one of " + CONDITIONS);
                return null;
            }
            Fields f = fields(node, path, CONDITIONS);
            if (f == null) return null;
            if (f.keys().size() != 1) {
                problem(path, f.keys().isEmpty() ? "no condition" : "several conditions " + f.keys() + " in one item",
                        "exactly one of " + CONDITIONS + " per item");
                return null;
            }
            String key = f.keys().getFirst();
            return switch (key) {
                case "dc-healthy" -> new Condition.DcHealthy(f.text(key, true, null));
                case "dc-down" -> new Condition.DcDown(f.text(key, true, null));
                case "primaries-in" -> new Condition.PrimariesIn(f.text(key, true, null));
                case "checkout-ok" -> new Condition.CheckoutOk(f.text(key, true, null));
                case "max-lag" -> new Condition.MaxLag(f.duration(key, null));
                case "window" -> window(f.node(key), path + ".window");
                default -> null; // unknown keys were reported by fields()
            };
        }

        Condition window(Node node, String path) {
            Fields f = fields(node, path, List.of("days", "from", "to", "zone"));
            if (f == null) return null;
            Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
            List<String> names = f.texts("days");
            for (int i = 0; i < names.size(); i++) {
                DayOfWeek day = day(names.get(i));
                if (day == null) problem(path + ".days[" + i + "]", "'" + names.get(i) + "'", "a day: mon, tue, wed, thu, fri, sat or sun");
                else days.add(day);
            }
            if (!f.has("days")) days = EnumSet.allOf(DayOfWeek.class);
            LocalTime from = f.time("from");
            LocalTime to = f.time("to");
            ZoneId zone = f.zone("zone");
            return new Condition.Window(days, from, to, zone);
        }

        static DayOfWeek day(String name) {
            for (DayOfWeek d : DayOfWeek.values()) {
                if (d.name().substring(0, 3).equalsIgnoreCase(name) || d.name().equalsIgnoreCase(name)) return d;
            }
            return null;
        }

        List<Node> sequence(Node node, String path, String expected) {
            mark(path, node);
            if (node instanceof SequenceNode s) return s.getValue();
            problem(path, describe(node), expected);
            return null;
        }

        /** The mapping's fields, or null (reported) when it is not a mapping; {@code known} null allows any key. */
        Fields fields(Node node, String path, List<String> known) {
            mark(path, node);
            if (!(node instanceof MappingNode m)) {
                problem(path, describe(node), known == null ? "a mapping" : "a mapping with " + String.join(", ", known));
                return null;
            }
            return new Fields(m, path, known);
        }

        static String scalarOf(Node node, String key) {
            for (NodeTuple t : ((MappingNode) node).getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key) && t.getValueNode() instanceof ScalarNode v) {
                    return v.getValue();
                }
            }
            return null;
        }

        static String describe(Node node) {
            return switch (node) {
                case MappingNode m -> "a mapping";
                case SequenceNode s -> "a list";
                case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing";
                case ScalarNode s -> "'" + abbreviate(s.getValue()) + "'";
                default -> "a " + node.getNodeId();
            };
        }

        static String abbreviate(String s) {
            return s.length() <= 60 ? s : s.substring(0, 57) + "...";
        }

        /** Every variable a string names must exist: a typo in ${form} is caught here, not mid-failover. */
        void variables(String path, String text) {
            Matcher m = VARIABLE.matcher(text);
            while (m.find()) {
                if (!variables.contains(m.group(1))) {
                    problem(path, "variable ${" + m.group(1) + "}", "one of " + variables.stream().sorted()
                            .map(v -> "${" + v + "}").collect(Collectors.joining(", ")) + " (declare others under parameters)");
                }
            }
            String rest = m.replaceAll("");
            if (rest.contains("${")) problem(path, "an unclosed ${ in '" + abbreviate(text) + "'", "${name}");
        }

        /** One mapping's fields by name, reporting duplicate and unknown keys as it reads them. */
        final class Fields {
            private final String path;
            private final Map<String, Node> values = new LinkedHashMap<>();
            private final Map<String, Node> keyNodes = new LinkedHashMap<>();

            Fields(MappingNode node, String path, List<String> known) {
                this.path = path;
                for (NodeTuple t : node.getValue()) {
                    if (!(t.getKeyNode() instanceof ScalarNode k)) {
                        mark(path, t.getKeyNode());
                        problem(path, describe(t.getKeyNode()) + " as a key", "a plain name as the key");
                        continue;
                    }
                    String key = k.getValue();
                    String at = path.isEmpty() ? key : path + "." + key;
                    // A field's problems are about its value: point there (the key's problems use the key's own node).
                    mark(at, t.getValueNode());
                    if (known != null && !known.contains(key)) {
                        problems.add(atNode(t.getKeyNode(), at, "unknown field '" + key + "'", "one of " + known));
                    } else if (values.containsKey(key)) {
                        problems.add(atNode(t.getKeyNode(), at, "'" + key + "' a second time (first at line "
                                + (keyNodes.get(key).getStartMark().getLine() + 1) + ")", "each field once"));
                    } else {
                        values.put(key, t.getValueNode());
                        keyNodes.put(key, t.getKeyNode());
                    }
                }
            }

            private Problem atNode(Node node, String at, String found, String expected) {
                Mark m = node.getStartMark();
                return new Problem(where.source(), m.getLine() + 1, m.getColumn() + 1, at, found, expected);
            }

            void problemAtKey(String key, String found, String expected) {
                problems.add(atNode(keyNodes.get(key), at(key), found, expected));
            }

            List<String> keys() {
                return List.copyOf(values.keySet());
            }

            boolean has(String key) {
                return values.containsKey(key);
            }

            Node node(String key) {
                Node n = values.get(key);
                if (n != null) mark(at(key), n);
                return n;
            }

            String at(String key) {
                return path.isEmpty() ? key : path + "." + key;
            }

            /** A scalar's text, or null after reporting a missing required one or a non-scalar. */
            private String scalar(String key, boolean required, String expected) {
                Node n = node(key);
                if (n == null) {
                    if (required) problem(at(key), "no " + key, expected);
                    return null;
                }
                if (n instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) return s.getValue();
                problem(at(key), describe(n), expected);
                return null;
            }

            String text(String key, boolean required, String fallback) {
                String s = scalar(key, required, "a text");
                if (s == null) return fallback;
                variables(at(key), s);
                return s;
            }

            String name(String key, boolean required) {
                String s = scalar(key, required, "a name of lower-case letters, digits and - (e.g. drain-dns)");
                if (s != null && !NAME.matcher(s).matches()) {
                    problem(at(key), "'" + abbreviate(s) + "'", "a name of lower-case letters, digits and - (e.g. drain-dns)");
                }
                return s;
            }

            String url(String key) {
                String s = text(key, true, null);
                // With variables it can only be judged once resolved, which the planner does.
                if (s != null && !s.contains("${") && !s.matches("https?://\\S+")) problem(at(key), "'" + abbreviate(s) + "'", "an http:// or https:// URL");
                return s;
            }

            Duration duration(String key, Duration fallback) {
                String s = scalar(key, fallback == null, DURATION);
                if (s == null) return fallback;
                Duration d = RunbookParser.duration(s);
                if (d == null || d.isNegative() || d.isZero()) {
                    problem(at(key), "'" + abbreviate(s) + "'", POSITIVE_DURATION);
                    return fallback;
                }
                return d;
            }

            /** A wait, which may be zero ({@code 0s}: do not wait); null after reporting anything else. */
            Duration waitDuration(String key) {
                String s = scalar(key, true, DURATION);
                if (s == null) return null;
                Duration d = RunbookParser.duration(s);
                if (d == null || d.isNegative()) {
                    problem(at(key), "'" + abbreviate(s) + "'", "a duration such as 0s (no wait), 500ms, 5s or PT5S");
                    return null;
                }
                return d;
            }

            /** The scalar's text as written, for a message about a value already read. */
            String scalarText(String key) {
                return values.get(key) instanceof ScalarNode s ? abbreviate(s.getValue()) : "?";
            }

            int integer(String key, int fallback, int min, int max) {
                String expected = "a whole number from " + min + " to " + max;
                Node n = node(key);
                if (n == null) return fallback;
                if (n instanceof ScalarNode s && s.getTag().equals(Tag.INT)) {
                    try {
                        int v = Integer.parseInt(s.getValue());
                        if (v >= min && v <= max) return v;
                    } catch (NumberFormatException e) {
                        // out of int's range: reported below like any other out-of-range number
                    }
                }
                problem(at(key), describe(n), expected);
                return fallback;
            }

            boolean bool(String key, boolean fallback) {
                Node n = node(key);
                if (n == null) return fallback;
                if (n instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) return Boolean.parseBoolean(s.getValue());
                problem(at(key), describe(n), "true or false");
                return fallback;
            }

            <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
                List<String> names = Stream.of(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
                String s = scalar(key, false, "one of " + names);
                if (s == null) return fallback;
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(s)) return e;
                }
                problem(at(key), "'" + abbreviate(s) + "'", "one of " + names);
                return fallback;
            }

            List<String> texts(String key) {
                Node n = node(key);
                if (n == null) return List.of();
                List<Node> items = sequence(n, at(key), "a list of texts");
                if (items == null) return List.of();
                List<String> texts = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    String itemPath = at(key) + "[" + i + "]";
                    mark(itemPath, items.get(i));
                    if (items.get(i) instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)) {
                        variables(itemPath, s.getValue());
                        texts.add(s.getValue());
                    } else {
                        problem(itemPath, describe(items.get(i)), "a text");
                    }
                }
                return texts;
            }

            /** A shard list: {@code ${shards}} (the default), or a list of shard names and {@code ${shards}}. */
            List<String> shards(String key) {
                Node n = node(key);
                if (n == null) return List.of("${shards}");
                if (n instanceof ScalarNode s && s.getValue().equals("${shards}")) return List.of("${shards}");
                if (n instanceof ScalarNode) {
                    problem(at(key), describe(n), "${shards} or a list of shard names");
                    return List.of();
                }
                return texts(key);
            }

            LocalTime time(String key) {
                String s = scalar(key, true, "a time of day such as \"08:00\"");
                if (s == null) return null;
                try {
                    return LocalTime.parse(s.length() == 4 ? "0" + s : s);
                } catch (DateTimeParseException e) {
                    problem(at(key), "'" + abbreviate(s) + "'", "a time of day such as \"08:00\"");
                    return null;
                }
            }

            ZoneId zone(String key) {
                String s = scalar(key, false, "a time zone such as UTC or Europe/Paris");
                if (s == null) return ZoneId.of("UTC");
                try {
                    return ZoneId.of(s);
                } catch (RuntimeException e) {
                    problem(at(key), "'" + abbreviate(s) + "'", "a time zone such as UTC or Europe/Paris");
                    return ZoneId.of("UTC");
                }
            }
        }
    }

    private enum Method { GET, POST, PUT }

    /** A consul step writes (the default), or, as a rollback step, restores what the step it undoes recorded. */
    private enum ConsulAction { SET, RESTORE }
}
