package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code baton} command: the one place that assembles the modules (lab, workload, engine).
 * Every subcommand is a thin layer over a module's API.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Multi-datacenter failover orchestrator.",
        subcommands = {DemoCommand.class, LabCommand.class, SwitchoverCommand.class, BenchCommand.class,
                CoordinatorCommand.class, AgentCommand.class, FailoverCommand.class, RunbookCommand.class, PasswdCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Refusals are expected outcomes for an SRE tool: print the message, not a stack trace.
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("baton: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (System.getenv("BATON_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 2;
        });
        return cl;
    }
}
