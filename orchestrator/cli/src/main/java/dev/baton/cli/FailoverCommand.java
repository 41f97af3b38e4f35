package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.failover.FailoverReport;
import dev.baton.orchestrator.failover.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * A thin client of {@code POST /api/v1/failovers}: the plan of a dry run, or a failover followed to its end;
 * {@code approve} approves the approval gate a failover waits at.
 */
@Command(name = "failover", mixinStandardHelpOptions = true, subcommands = FailoverCommand.Approve.class,
        description = "Evacuate a DC through the coordinator API: move every shard primary out of --from to --to (--dry-run: print the plan only).")
final class FailoverCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(250);

    // Not required by picocli, which would then ask for them before the approve subcommand too; call() does.
    @Option(names = "--from", description = "The DC to evacuate (required).")
    String from;
    @Option(names = "--to", description = "The DC that takes over (required).")
    String to;
    @Option(names = "--runbook", paramLabel = "NAME", description = "A runbook of the coordinator's catalog: shipped (planned-evacuation, "
            + "fail-back, shard-switchover, emergency-failover) or the site's own (see: baton runbook list --api URL); default: "
            + "planned-evacuation, or fail-back into a drained DC.")
    String runbook;
    @Option(names = "--shard", paramLabel = "SHARD", description = "A shard to move (repeatable); default: every shard whose primary is in --from.")
    List<String> shards;
    @Option(names = "--dry-run", description = "Print the exact plan; change nothing.")
    boolean dryRun;
    @Option(names = "--reason", description = "Why; goes to the audit log (default: a line naming you).")
    String reason;
    @Option(names = "--force", description = "Run although the target DC is not HEALTHY (needs an admin token).")
    boolean force;
    @Option(names = "--wait", description = "Follow the failover until it ends and print its report; exit 0 only when it succeeded. "
            + "A request refused only because candidates are still catching up from the previous move is asked again (every 500 ms, "
            + "at most 20 times), and the report says how often.")
    boolean await;
    @Option(names = "--timeout", defaultValue = "PT5M", description = "How long --wait follows (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration timeout;
    @Mixin ApiAccess access;
    @Option(names = "--user", description = "Which user's token of a user=token file (default: admin with --force, else sre).")
    String user;
    @Mixin LabOptions lab;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        List<String> missing = new ArrayList<>();
        if (from == null) missing.add("'--from=<from>'");
        if (to == null) missing.add("'--to=<to>'");
        if (!missing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Missing required option" + (missing.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", missing));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CoordinatorApi client = new CoordinatorApi(urls(access.api, lab), token(access.tokenFile, lab, user != null ? user : force ? "admin" : "sre"));
        ObjectNode request = CoordinatorApi.JSON.createObjectNode().put("from", from).put("to", to)
                .put("reason", reason != null ? reason : "baton failover by " + System.getProperty("user.name") + " from the CLI")
                .put("dryRun", dryRun).put("force", force);
        if (runbook != null) request.put("runbook", runbook);
        if (shards != null) shards.forEach(request.putArray("shards")::add);
        // Asked to wait for the outcome, a refusal that clears by itself in seconds is waited out too; otherwise it is reported.
        CatchingUp.Asked asked = await && !dryRun ? CatchingUp.post(client, request, line -> {
            err.println("baton: " + line);
            err.flush();
        }) : CatchingUp.Asked.once(client.post("/failovers", request));
        CoordinatorApi.Answer answer = asked.answer();
        if (!answer.ok()) {
            err.println("baton: failover " + asked.error());
            err.flush();
            return 1;
        }
        if (dryRun) {
            out.print(plan(answer.body()));
            out.flush();
            return wouldRun(answer.body()) ? 0 : 1;
        }
        String id = answer.body().get("id").asText();
        out.println("failover " + id + " started on " + answer.from() + ": " + answer.body().path("shards").size()
                + " shard(s) from " + from + " to " + to + (asked.retries() == 0 ? ""
                : ", after asking " + asked.retries() + " more time(s) while candidates caught up"));
        if (!await) {
            out.println("follow it at " + answer.from() + "/api/v1/failovers/" + id + " (or pass --wait)");
            out.flush();
            return 0;
        }
        out.flush();
        JsonNode failover = follow(client, id, out);
        CoordinatorApi.Answer report = client.get("/failovers/" + id + "/report");
        if (!report.ok()) throw new IllegalStateException("cannot read the report of failover " + id + ": " + report.error());
        try {
            out.print(Json.MAPPER.treeToValue(report.body(), FailoverReport.class).text());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("malformed report of failover " + id + ": " + e.getOriginalMessage(), e);
        }
        out.flush();
        return failover.path("state").asText().equals("SUCCEEDED") ? 0 : 1;
    }

    /** Polls until the failover leaves RUNNING, printing each shard's steps as they are recorded. */
    private JsonNode follow(CoordinatorApi client, String id, PrintWriter out) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Set<String> seen = new HashSet<>();
        while (true) {
            CoordinatorApi.Answer answer = client.get("/failovers/" + id);
            if (!answer.ok()) throw new IllegalStateException("cannot follow failover " + id + ": " + answer.error());
            JsonNode failover = answer.body();
            for (JsonNode shard : failover.path("shards")) {
                for (JsonNode step : shard.path("steps")) {
                    String key = shard.path("shard").asText() + " " + step.path("name").asText();
                    if (seen.add(key)) out.println("  " + key);
                }
            }
            out.flush();
            if (!failover.path("state").asText().equals("RUNNING")) return failover;
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("failover " + id + " still runs after " + timeout + "; it goes on in the coordinator");
            }
            Thread.sleep(POLL);
        }
    }

    static String plan(JsonNode answer) {
        StringBuilder sb = new StringBuilder();
        JsonNode plan = answer.path("plan");
        JsonNode target = answer.path("targetHealth");
        sb.append("plan: fail over from ").append(plan.path("from").asText()).append(" to ").append(plan.path("to").asText())
                .append(" (target ").append(target.path("dc").asText()).append(" is ").append(target.path("verdict").asText())
                .append(")\n");
        target.path("reasons").forEach(r -> sb.append("  target: ").append(r.asText()).append('\n'));
        for (JsonNode shard : plan.path("shards")) {
            sb.append(String.format(Locale.ROOT, "  %-8s fence %s (%s)  promote %s (%s)  flip %d writer frontend(s): %s%n",
                    shard.path("shard").asText(), shard.at("/fence/id").asText(), endpoint(shard.at("/fence/endpoint")),
                    shard.at("/candidate/id").asText("-"), endpoint(shard.at("/candidate/endpoint")), shard.path("frontends").size(),
                    String.join(", ", shard.path("frontends").findValuesAsText("dc"))));
            shard.path("problems").forEach(p -> sb.append("           problem: ").append(p.asText()).append('\n'));
        }
        JsonNode traffic = plan.path("traffic");
        JsonNode dns = traffic.path("dns");
        if (dns.isObject()) {
            sb.append("  dns: ").append(dns.path("name").asText()).append(" A ").append(dns.at("/before/ip").asText("(none)"))
                    .append(" -> ").append(dns.at("/after/ip").asText()).append('\n');
        }
        if (traffic.hasNonNull("lb")) sb.append("  lb: ").append(traffic.path("lb").asText()).append('\n');
        for (JsonNode w : traffic.at("/weights/weights")) {
            if (w.path("before").asInt() != w.path("after").asInt()) {
                sb.append("      HAProxy ").append(w.path("haproxy").asText()).append(' ').append(w.path("backend").asText()).append('/')
                        .append(w.path("server").asText()).append(" weight ").append(w.path("before").asInt()).append(" -> ")
                        .append(w.path("after").asInt()).append('\n');
            }
        }
        traffic.path("problems").forEach(p -> sb.append("  traffic problem: ").append(p.asText()).append('\n'));
        problems(answer).forEach(p -> sb.append("  problem: ").append(p).append('\n'));
        if (answer.hasNonNull("runbookText")) sb.append(answer.path("runbookText").asText());
        sb.append("dry run: nothing changed\n");
        return sb.toString();
    }

    /** What the dry run's exit code says: the same request without --dry-run would pass its checks. */
    private boolean wouldRun(JsonNode answer) {
        boolean healthy = answer.at("/targetHealth/verdict").asText().equals("HEALTHY");
        boolean ready = problems(answer).isEmpty();
        for (JsonNode shard : answer.at("/plan/shards")) ready &= shard.path("problems").isEmpty();
        return ready && (healthy || force);
    }

    private static List<String> problems(JsonNode answer) {
        List<String> all = new ArrayList<>();
        answer.at("/plan/problems").forEach(p -> all.add(p.asText()));
        return all;
    }

    private static String endpoint(JsonNode e) {
        return e.isMissingNode() || e.isNull() ? "-" : e.path("host").asText() + ":" + e.path("port").asText();
    }

    private static String ms(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.1f", n.asDouble()) : "?";
    }

    private static List<String> urls(List<String> api, LabOptions lab) {
        if (api != null && !api.isEmpty()) return api;
        Path config = lab.dir().resolve(LabConfig.COORDINATOR_FILE);
        if (!Files.exists(config)) {
            throw new IllegalStateException("no --api given and no " + config + " (write one with ./baton lab config)");
        }
        return ConfigLoader.load(config).coordinators().stream().map(CoordinatorPeer::url).toList();
    }

    /** @param who whose token to take from a user=token file */
    static String token(Path tokenFile, LabOptions lab, String who) {
        Path file = tokenFile != null ? tokenFile : lab.dir().resolve(LabConfig.TOKENS_FILE);
        List<String> lines;
        try {
            lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file + " (give --token-file): " + e.getMessage(), e);
        }
        if (lines.size() == 1 && !lines.getFirst().contains("=")) return lines.getFirst();
        return lines.stream().filter(l -> l.startsWith(who + "=")).map(l -> l.substring(who.length() + 1)).findFirst()
                .orElseThrow(() -> new IllegalStateException("token file " + file + " has no token for user '" + who + "' (give --user)"));
    }

    /** Where the coordinator API is and which token file to read: the same for every call of this command. */
    static final class ApiAccess {
        @Option(names = "--api", split = ",", paramLabel = "URL",
                description = "Coordinator API base URL(s) (default: every coordinator of the lab's coordinator.yaml).")
        List<String> api;
        @Option(names = "--token-file", paramLabel = "FILE",
                description = "A file holding the token, or user=token lines (default: the lab's api-tokens).")
        Path tokenFile;
    }

    /** {@code POST /api/v1/failovers/{id}/approve}: the person's confirmation an approval step waits for. */
    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve the approval step a running failover waits at; it then goes on.")
    static final class Approve implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The failover's id (f-...).")
        String id;
        @Option(names = "--comment", description = "Goes into the step's timeline entry and the audit log.")
        String comment;
        @Mixin ApiAccess access;
        @Option(names = "--user", defaultValue = "sre", description = "Which user's token of a user=token file (default: ${DEFAULT-VALUE}).")
        String user;
        @Mixin LabOptions lab;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            ObjectNode body = CoordinatorApi.JSON.createObjectNode();
            if (comment != null) body.put("comment", comment);
            CoordinatorApi.Answer answer = new CoordinatorApi(urls(access.api, lab), token(access.tokenFile, lab, user)).post("/failovers/" + id + "/approve", body);
            if (!answer.ok()) {
                spec.commandLine().getErr().println("baton: approve " + answer.error());
                spec.commandLine().getErr().flush();
                return 1;
            }
            JsonNode failover = answer.body();
            PrintWriter out = spec.commandLine().getOut();
            out.println("failover " + id + " approved on " + answer.from() + "; it is " + failover.path("state").asText());
            for (JsonNode step : failover.path("timeline")) {
                String state = step.path("state").asText();
                if (state.equals("RUNNING") || state.equals("WAITING")) out.println("  now at " + step.path("name").asText() + " (" + state + ")");
            }
            out.flush();
            return 0;
        }
    }
}
