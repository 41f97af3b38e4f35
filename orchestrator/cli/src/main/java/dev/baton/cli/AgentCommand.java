package dev.baton.cli;

import dev.baton.agents.Agent;
import dev.baton.agents.config.AgentConfig;
import dev.baton.agents.probe.Probers;
import dev.baton.agents.report.Backoff;
import dev.baton.agents.report.HttpReporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run a DC's health agent: probe its servers every interval and report to every coordinator, until SIGTERM.")
final class AgentCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's YAML config.")
    Path config;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig c = AgentConfig.read(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread running = Thread.currentThread();
        // SIGTERM runs the hooks: wake the command so it closes the agent, and let it finish closing.
        Thread hook = new Thread(() -> {
            running.interrupt();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (HttpReporter reporter = new HttpReporter(c.coordinators(), c.token(), Backoff.defaults(), c.interval());
             Agent agent = new Agent(c.agentId(), c.dc(), Probers.forDc(c.topology(), c.dc(), c.probeTimeout()), reporter,
                     c.interval())) {
            agent.start();
            spec.commandLine().getOut().printf("agent %s in %s probing every %d ms, reporting each change at once and an unchanged state every %d ms, to %s%n",
                    c.agentId(), c.dc(), c.interval().toMillis(), HttpReporter.UNCHANGED_EVERY.toMillis(), c.coordinators());
            spec.commandLine().getOut().flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            spec.commandLine().getOut().printf("agent %s stopped%n", c.agentId());
            spec.commandLine().getOut().flush();
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Already running the hooks: nothing to remove.
            }
        }
        return 0;
    }
}
