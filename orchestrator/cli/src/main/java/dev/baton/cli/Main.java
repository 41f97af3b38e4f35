package dev.baton.cli;

import dev.baton.wire.Topology;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.sql.DriverManager;
import java.sql.SQLException;

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
        warmUpBeside();
        System.exit(commandLine().execute(args));
    }

    /**
     * Starts logging, the topology reader and the JDBC driver on a second thread while picocli reads the arguments
     * (100+ ms of the main thread: its classes are Java 5 bytecode, which the class-data archive cannot hold). Every
     * command needs them next. A command-line switchover, 8 runs each way alternating: wall 336-396 ms (median 358)
     * against 363-516 (median 388).
     */
    private static void warmUpBeside() {
        Thread.ofPlatform().daemon().name("warm-up").start(() -> {
            try {
                LoggerFactory.getLogger(Main.class);
                Topology.fromJson("{\"name\":\"warm-up\",\"datacenters\":[],\"shards\":[]}");
                DriverManager.getDriver("jdbc:mariadb://localhost/warm-up");
            } catch (RuntimeException | SQLException e) {
                // only a head start: the command does the same again and reports what fails
            }
        });
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
