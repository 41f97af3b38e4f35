package dev.baton.cli;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

@Command(name = "lab", description = "Run a multi-DC world of real servers on loopback (MariaDB, HAProxy, PowerDNS, ZooKeeper).",
        mixinStandardHelpOptions = true,
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Down.class})
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
