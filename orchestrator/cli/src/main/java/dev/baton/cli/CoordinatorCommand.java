package dev.baton.cli;

import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.coordinator.Coordinator;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

@Command(name = "coordinator", mixinStandardHelpOptions = true,
        description = "Run a coordinator: leader election in ZooKeeper, the failover and health API under /api/v1, JSON logs on stderr, until stopped.")
final class CoordinatorCommand implements Runnable {
    @Option(names = "--config", required = true, description = "The coordinator's YAML config (./baton lab config writes one for the lab).")
    Path config;
    @Option(names = "--id", description = "Which coordinator of the config this is (default: the first).")
    String id;

    @Override
    public void run() {
        CoordinatorConfig loaded = ConfigLoader.load(config);
        // After the config is read: a config error is for the person at the terminal, not a log shipper.
        JsonLogging.enable();
        String self = id != null ? id : loaded.coordinators().getFirst().id();
        CountDownLatch stopped = new CountDownLatch(1);
        try (Coordinator coordinator = Coordinator.start(loaded, self, SwitchoverOptions.defaults())) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                coordinator.close();
                stopped.countDown();
            }));
            System.out.println("coordinator " + self + " serves " + coordinator.url() + "/api/v1 (OpenAPI: "
                    + coordinator.url() + "/api/v1/openapi.json); stop it with Ctrl-C or kill " + ProcessHandle.current().pid());
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
