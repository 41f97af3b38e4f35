package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.chaos.lab.JvmOptions;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabStatus;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.CoordinatorPeer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Baton's own services run as part of a lab: the lab's coordinator config ({@code lab config}),
 * then a coordinator and an agent per DC, adopted by the lab so that {@code lab down} stops them
 * by PID with the rest. Each is this same program ({@code baton coordinator}, {@code baton agent})
 * in a JVM of its own.
 *
 * @param coordinators every coordinator, in DC order
 * @param tokenFile    the API tokens, {@code user=token} lines
 * @param tokens       the same tokens by user ({@code admin}, {@code sre}, {@code viewer})
 */
record LabServices(List<CoordinatorPeer> coordinators, Path tokenFile, Map<String, String> tokens) {
    private static final Duration POLL = Duration.ofMillis(250);
    /** Sized for a 2-core lab machine (see {@link JvmOptions}); a coordinator stays under 300 MB RSS. */
    private static final List<String> COORDINATOR_JVM = JvmOptions.of(JvmOptions.Kind.COORDINATOR);
    private static final List<String> AGENT_JVM = JvmOptions.of(JvmOptions.Kind.AGENT);

    static String coordinatorProcess(String dc) {
        return "coordinator " + dc;
    }

    static String agentProcess(String dc) {
        return "agent " + dc;
    }

    /**
     * Starts what is not running yet and waits until a coordinator leads and every coordinator sees
     * every DC HEALTHY. When all services already run (a second {@code demo}), they are reused as
     * they are; when only some run, that is refused, as their config could not be rewritten under them.
     */
    static LabServices start(Lab lab, Duration readyTimeout) throws InterruptedException {
        Path dir = lab.spec().dir();
        List<String> dcs = lab.topology().datacenterNames();
        List<String> names = dcs.stream().flatMap(dc -> List.of(coordinatorProcess(dc), agentProcess(dc)).stream()).toList();
        Map<String, Boolean> running = lab.processStates().stream().filter(e -> names.contains(e.name()))
                .collect(Collectors.toMap(LabStatus.Entry::name, LabStatus.Entry::running));
        long alive = running.values().stream().filter(r -> r).count();
        if (alive > 0 && alive < names.size()) {
            throw new IllegalStateException("lab in " + dir + " runs only some of its coordinators and agents ("
                    + running.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).sorted()
                    .collect(Collectors.joining(", ")) + "); run `./baton lab down --dir " + dir + "` first");
        }
        Path configFile = dir.resolve(LabConfig.COORDINATOR_FILE);
        LabServices services;
        if (alive == 0) {
            LabConfig config = LabConfig.of(lab);
            config.write(dir);
            config.config().coordinators().forEach(peer -> startCoordinator(lab, peer));
            services = new LabServices(ConfigLoader.load(configFile).coordinators(), dir.resolve(LabConfig.TOKENS_FILE),
                    readTokens(dir.resolve(LabConfig.TOKENS_FILE)));
            // Agents only once the coordinators answer: started together, an agent's first reports are refused while the
            // coordinators start, and its backoff then keeps the coordinators blind for seconds after they could see.
            services.awaitReady(services.urls(), List.of(), dir, readyTimeout);
            for (String dc : dcs) {
                lab.adopt(agentProcess(dc), command(AGENT_JVM, "agent", "--config", LabConfig.agentFile(dir, dc).toString()), null);
            }
        } else {
            services = new LabServices(ConfigLoader.load(configFile).coordinators(), dir.resolve(LabConfig.TOKENS_FILE),
                    readTokens(dir.resolve(LabConfig.TOKENS_FILE)));
        }
        services.awaitReady(services.urls(), dcs, dir, readyTimeout);
        return services;
    }

    List<String> urls() {
        return coordinators.stream().map(CoordinatorPeer::url).toList();
    }

    CoordinatorPeer coordinator(String id) {
        return coordinators.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new IllegalStateException(
                "no coordinator '" + id + "' in " + tokenFile.resolveSibling(LabConfig.COORDINATOR_FILE) + "; it has "
                        + coordinators.stream().map(CoordinatorPeer::id).toList()));
    }

    /**
     * Starts a coordinator that died (e.g. was killed) again with the same config, and waits until
     * it answers and knows a leader. Unlike {@link #start} it does not wait for its health view:
     * a follower needs none, and the agents' backoff may keep it blind for a while.
     */
    void restartCoordinator(Lab lab, CoordinatorPeer peer, Duration readyTimeout) throws InterruptedException {
        startCoordinator(lab, peer);
        awaitReady(List.of(peer.url()), List.of(), lab.spec().dir(), readyTimeout);
    }

    private static void startCoordinator(Lab lab, CoordinatorPeer peer) {
        Path configFile = lab.spec().dir().resolve(LabConfig.COORDINATOR_FILE);
        lab.adopt(coordinatorProcess(peer.dc()), command(COORDINATOR_JVM, "coordinator", "--config", configFile.toString(),
                "--id", peer.id()), peer.http());
    }

    CoordinatorApi api(String user) {
        String token = tokens.get(user);
        if (token == null) throw new IllegalStateException("no token for user '" + user + "' in " + tokenFile);
        return new CoordinatorApi(urls(), token);
    }

    /** The same java, classpath and main class as this process: the shaded jar when run by ./baton, the build's classes in tests. */
    private static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private void awaitReady(List<String> urls, List<String> dcs, Path dir, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> notReady = new LinkedHashMap<>();
        while (true) {
            notReady.clear();
            for (String url : urls) {
                String why = notReadyReason(url, dcs);
                if (why != null) notReady.put(url, why);
            }
            if (notReady.isEmpty()) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("coordinators of the lab in " + dir + " not ready after " + timeout.toSeconds() + " s: "
                        + notReady.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("; "))
                        + " (logs: " + dir.resolve("services") + ")");
            }
            Thread.sleep(POLL);
        }
    }

    /** One client per coordinator for the readiness polls: a java.net.http client per poll is a selector thread per poll. */
    private static final Map<String, CoordinatorApi> POLLERS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Null when this coordinator knows a leader and sees every DC HEALTHY; else what it lacks. */
    private String notReadyReason(String url, List<String> dcs) {
        CoordinatorApi one = POLLERS.computeIfAbsent(url + " " + tokens.get("viewer"), key -> new CoordinatorApi(List.of(url), tokens.get("viewer")));
        try {
            CoordinatorApi.Answer topology = one.get("/topology");
            if (!topology.ok()) return topology.error();
            if (topology.body().path("leader").asText().isEmpty()) return "knows no leader yet";
            CoordinatorApi.Answer health = one.get("/health");
            if (!health.ok()) return health.error();
            List<String> unhealthy = new ArrayList<>();
            for (String dc : dcs) {
                String verdict = "UNKNOWN";
                for (JsonNode d : health.body().path("datacenters")) {
                    if (d.path("dc").asText().equals(dc)) verdict = d.path("verdict").asText();
                }
                if (!verdict.equals("HEALTHY")) unhealthy.add("DC " + dc + " is " + verdict);
            }
            return unhealthy.isEmpty() ? null : "sees " + String.join(", ", unhealthy);
        } catch (IllegalStateException e) {
            return "does not answer";
        }
    }

    /** The console's logins, user to password, from the lab's folder (mode 600, beside the tokens). */
    Map<String, String> consoleLogins() {
        return readTokens(consoleLoginsFile());
    }

    Path consoleLoginsFile() {
        return tokenFile.resolveSibling(LabConfig.LOGINS_FILE);
    }

    private static Map<String, String> readTokens(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(l -> l.contains("="))
                    .map(l -> l.split("=", 2)).collect(Collectors.toMap(p -> p[0], p -> p[1]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
