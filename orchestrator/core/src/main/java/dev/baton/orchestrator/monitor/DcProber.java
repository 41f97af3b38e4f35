package dev.baton.orchestrator.monitor;

import dev.baton.orchestrator.health.CoordinatorObservation;
import dev.baton.orchestrator.health.DcReach;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * This coordinator's own look at every DC: a TCP connect to its HAProxy runtime API and to one of
 * its MariaDB servers, a different one each round. Only the connect, no login: whether the service
 * behind it is well is for the DC's own agents to say; this says whether the DC is there from here,
 * and one answer is enough for that (a connect to every server every second was most of an idle
 * coordinator's CPU, and an accept per second on every server). All connects of a round run at
 * once on virtual threads, so a round takes at most about one timeout even when a whole DC drops packets.
 */
public final class DcProber {
    private record Target(String dc, String name, Endpoint endpoint) {
    }

    private final String coordinator;
    private final String coordinatorDc;
    private final List<String> datacenters;
    /** Per DC: its HAProxy, asked every round. */
    private final List<Target> always = new ArrayList<>();
    /** Per DC: its MariaDB servers, one asked per round in turn. */
    private final java.util.Map<String, List<Target>> inTurn = new java.util.LinkedHashMap<>();
    private final int timeoutMs;
    private int round;

    public DcProber(Topology topology, String coordinator, String coordinatorDc, Duration timeout) {
        this.coordinator = coordinator;
        this.coordinatorDc = coordinatorDc;
        this.datacenters = topology.datacenterNames();
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
        for (Datacenter dc : topology.datacenters()) {
            always.add(new Target(dc.name(), "haproxy " + dc.name(), dc.haproxyRuntime()));
            List<Target> servers = new ArrayList<>();
            topology.shards().forEach(shard -> shard.serverIn(dc.name()).ifPresent(server ->
                    servers.add(new Target(dc.name(), "mariadb " + server.id(), server.endpoint()))));
            inTurn.put(dc.name(), List.copyOf(servers));
        }
    }

    /** This round's targets: every DC's HAProxy and, per DC, the next of its servers. */
    private synchronized List<Target> nextTargets() {
        List<Target> targets = new ArrayList<>(always);
        for (List<Target> servers : inTurn.values()) {
            if (!servers.isEmpty()) targets.add(servers.get(Math.floorMod(round, servers.size())));
        }
        round++;
        return targets;
    }

    /** One round; blocks for at most about the timeout, so never call it on an event loop. */
    public CoordinatorObservation probe() {
        Instant at = Instant.now();
        List<Target> targets = nextTargets();
        List<String> errors = new ArrayList<>();
        try (ExecutorService connects = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> outcomes = targets.stream().map(t -> connects.submit(() -> connect(t))).toList();
            for (int i = 0; i < targets.size(); i++) errors.add(outcome(targets.get(i), outcomes.get(i)));
        }
        List<DcReach> reach = datacenters.stream().map(dc -> {
            List<String> failures = new ArrayList<>();
            int tried = 0;
            for (int i = 0; i < targets.size(); i++) {
                if (!targets.get(i).dc().equals(dc)) continue;
                tried++;
                if (errors.get(i) != null) failures.add(errors.get(i));
            }
            return new DcReach(dc, tried, failures);
        }).toList();
        return new CoordinatorObservation(coordinator, coordinatorDc, at, reach);
    }

    /** Null when the connect succeeded, else what failed, naming the target. */
    private String connect(Target target) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.endpoint().host(), target.endpoint().port()), timeoutMs);
            return null;
        } catch (IOException | RuntimeException e) {
            return failure(target, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
        }
    }

    private static String outcome(Target target, Future<String> outcome) {
        try {
            return outcome.get();
        } catch (ExecutionException e) {
            return failure(target, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(target, "probe interrupted");
        }
    }

    private static String failure(Target target, String error) {
        return target.name() + " at " + target.endpoint() + ": " + error;
    }
}
