package dev.baton.cli;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.orchestrator.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

@Command(name = "lab", description = "Run a multi-DC world of real servers on loopback (MariaDB, HAProxy, PowerDNS, ZooKeeper), "
        + "with stand-ins for Consul and for Slack/PagerDuty.",
        mixinStandardHelpOptions = true,
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Config.class, LabCommand.Down.class})
final class LabCommand {

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Bring the lab up (idempotent), print every endpoint and write topology.json.")
    static final class Up implements Runnable {
        @Mixin LabOptions lab;
        @Option(names = "--dcs", split = ",", defaultValue = "east,west", description = "Datacenters, first one holds the primaries (default: ${DEFAULT-VALUE}).")
        List<String> dcs;
        @Option(names = "--shards", defaultValue = "2", description = "Number of shards (default: ${DEFAULT-VALUE}).")
        int shards;
        @Option(names = "--base-port", defaultValue = "0", description = "First port to use; 0 picks free ports (default).")
        int basePort;
        @Option(names = "--no-checkout-apps", description = "Do not start a checkout app per DC.")
        boolean noCheckoutApps;

        @Override
        public void run() {
            Lab up = Lab.up(new LabSpec(lab.dir(), dcs, shards, basePort, !noCheckoutApps));
            System.out.println(TopologyTable.render(up.topology()));
            System.out.println(up.status().table());
            System.out.println("topology: " + lab.dir().resolve("topology.json"));
            System.out.println("stop it with: ./baton lab down --dir " + lab.dir());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Say what runs and what does not; --json prints the topology too.")
    static final class Status implements Runnable {
        @Mixin LabOptions lab;
        @Option(names = "--json", description = "Machine-readable: the topology and every process.")
        boolean json;

        @Override
        public void run() {
            Lab running = Lab.attach(lab.dir()).orElseThrow(() ->
                    new IllegalStateException("no lab in " + lab.dir() + " (start one with ./baton lab up)"));
            System.out.println(json ? running.status().toJson() : running.status().table());
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Write a coordinator config for the running lab (coordinator.yaml), API tokens (api-tokens) and an agent config per DC (agent-<dc>.yaml; secrets mode 600).")
    static final class Config implements Runnable {
        @Mixin LabOptions lab;
        @Spec CommandSpec spec;

        @Override
        public void run() {
            Lab running = Lab.attach(lab.dir()).orElseThrow(() ->
                    new IllegalStateException("no lab in " + lab.dir() + " (start one with ./baton lab up)"));
            LabConfig config = LabConfig.of(running);
            config.write(lab.dir());
            Path file = lab.dir().resolve(LabConfig.COORDINATOR_FILE);
            PrintWriter out = spec.commandLine().getOut();
            out.println("coordinator config: " + file);
            out.println("API tokens (admin 'admin', operator 'sre', viewer 'viewer'): " + lab.dir().resolve(LabConfig.TOKENS_FILE));
            config.config().coordinators().forEach(c -> out.println("run: ./baton coordinator --config " + file + " --id " + c.id()
                    + "   # serves " + c.url() + "/api/v1"));
            running.topology().datacenterNames().forEach(dc -> out.println("run: ./baton agent --config "
                    + LabConfig.agentFile(lab.dir(), dc)));
            config.config().channels().forEach((name, channel) -> out.println("notify channel " + name + " ("
                    + channel.kind().name().toLowerCase() + "): " + channel.url()));
            running.standIns().ifPresent(s -> out.println("what the channels would have sent goes to " + s.notificationsFile()));
            if (config.config().consul() != null) {
                out.println("consul: " + config.config().consul().url() + " key " + config.config().consul().key()
                        + " (the lab's Consul stand-in, not Consul)");
            }
            out.flush();
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every process of the lab by PID and free its ports.")
    static final class Down implements Runnable {
        @Mixin LabOptions lab;

        @Override
        public void run() {
            var running = Lab.attach(lab.dir());
            if (running.isEmpty()) {
                System.out.println("no lab running in " + lab.dir());
                return;
            }
            running.get().down();
            System.out.println("lab in " + lab.dir() + " is down");
        }
    }
}
