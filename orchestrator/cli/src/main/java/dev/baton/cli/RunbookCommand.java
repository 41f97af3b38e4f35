package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.orchestrator.runbook.TopologyViews;
import dev.baton.runbooks.Checked;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlanJson;
import dev.baton.runbooks.plan.PlanRefused;
import dev.baton.runbooks.plan.PlanRequest;
import dev.baton.runbooks.plan.PlanText;
import dev.baton.runbooks.plan.Planner;
import dev.baton.wire.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Runbooks offline: validate one, or plan it against a topology file; list the shipped ones, or a coordinator's. Changes nothing. */
@Command(name = "runbook", mixinStandardHelpOptions = true,
        description = "Validate a runbook or print its plan against a topology, changing nothing.",
        subcommands = {RunbookCommand.Validate.class, RunbookCommand.PlanCommand.class, RunbookCommand.ListRunbooks.class})
final class RunbookCommand {
    /** Invalid input: the same code as every other refusal of the CLI. */
    static final int INVALID = 2;

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a runbook: one OK line (exit 0), or every problem as file:line:column (exit 2).")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "RUNBOOK", description = "A runbook file, or a shipped runbook's name (see: baton runbook list).")
        String runbook;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Checked checked = Runbooks.load(runbook);
            if (!printProblems(checked, spec)) return INVALID;
            Runbook r = checked.runbook();
            spec.commandLine().getOut().println("OK: " + checked.source() + " is runbook " + r.name() + " (" + r.steps().size()
                    + " steps, " + r.rollback().size() + " rollback steps)");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Print the plan of a runbook for --from/--to against the lab's (or a given) topology; touches nothing.")
    static final class PlanCommand implements Callable<Integer> {
        @Parameters(paramLabel = "RUNBOOK", description = "A runbook file, or a shipped runbook's name.")
        String runbook;
        @Option(names = "--from", required = true, description = "The DC traffic and primaries leave.")
        String from;
        @Option(names = "--to", required = true, description = "The DC that takes over.")
        String to;
        @Option(names = "--shards", split = ",", paramLabel = "SHARD", description = "Only these shards (default: the runbook's scope).")
        List<String> shards = List.of();
        @Option(names = "--reason", description = "Why; shown in the plan and its messages.")
        String reason = "";
        @Option(names = "--param", paramLabel = "NAME=VALUE", description = "A value for a parameter the runbook declares.")
        Map<String, String> parameters = Map.of();
        @Option(names = "--topology", paramLabel = "FILE", description = "A topology JSON file (default: the lab's topology.json).")
        Path topology;
        @Option(names = "--json", description = "Print the plan as JSON.")
        boolean json;
        @Mixin LabOptions lab;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Checked checked = Runbooks.load(runbook);
            if (!printProblems(checked, spec)) return INVALID;
            Path file = topology != null ? topology : lab.dir().resolve("topology.json");
            if (!Files.exists(file)) {
                throw new IllegalStateException("no topology at " + file + " (give --topology FILE or --dir LAB_DIR)");
            }
            // The recorded primaries: a preview offline. The coordinator plans with the live ones.
            Planner planner = new Planner(TopologyViews.of(Topology.read(file)));
            Plan plan;
            try {
                plan = planner.plan(checked.runbook(), new PlanRequest(from, to, shards, reason, parameters));
            } catch (PlanRefused e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("baton: cannot plan runbook " + checked.runbook().name() + " against " + file + ":");
                e.problems().forEach(p -> err.println("  " + p));
                err.flush();
                return INVALID;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? PlanJson.write(plan) + "\n" : PlanText.render(plan) + "plan only: nothing changed\n");
            out.flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The runbooks Baton ships, by name; with --api, the runbooks a coordinator runs (shipped and the site's own) with each file's SHA-256.")
    static final class ListRunbooks implements Callable<Integer> {
        @Mixin FailoverCommand.ApiAccess access;
        @Option(names = "--user", defaultValue = "viewer", description = "Which user's token of a user=token file (default: ${DEFAULT-VALUE}).")
        String user;
        @Mixin LabOptions lab;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (access.api == null || access.api.isEmpty()) {
                for (String name : Runbooks.SHIPPED) out.println(name + "  " + Runbooks.shipped(name).orThrow().description());
                out.flush();
                return 0;
            }
            CoordinatorApi.Answer answer = new CoordinatorApi(access.api, FailoverCommand.token(access.tokenFile, lab, user)).get("/runbooks");
            if (!answer.ok()) {
                spec.commandLine().getErr().println("baton: runbook list " + answer.error());
                spec.commandLine().getErr().flush();
                return 1;
            }
            out.println("runbooks of " + answer.from() + ":");
            for (JsonNode r : answer.body()) {
                out.printf("%-24s %-7s sha256:%s  %s%n", r.path("name").asText(), r.path("source").asText(), r.path("sha256").asText(),
                        r.path("description").asText());
            }
            out.flush();
            return 0;
        }
    }

    /** Every problem, one a line, to stderr; whether there were none. */
    private static boolean printProblems(Checked checked, CommandSpec spec) {
        if (checked.ok()) return true;
        PrintWriter err = spec.commandLine().getErr();
        err.println(checked.report());
        err.println(checked.problems().size() + " problem(s) in " + checked.source());
        err.flush();
        return false;
    }
}
