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
 * This coordinator's own look at every DC: a TCP connect to its HAProxy runtime API and to each of
 * its MariaDB servers. Only the connect, no login: whether the service behind it is well is for
 * the DC's own agents to say; this says whether the DC is there from here. All connects of a round
 * run at once on virtual threads, so a round takes at most about one timeout even when a whole DC
 * drops packets.
 */
public final class DcProber {
    private record Target(String dc, String name, Endpoint endpoint) {
    }

    private final String coordinator;
    private final String coordinatorDc;
    private final List<String> datacenters;
    private final List<Target> targets = new ArrayList<>();
    private final int timeoutMs;

    public DcProber(Topology topology, String coordinator, String coordinatorDc, Duration timeout) {
        this.coordinator = coordinator;
        this.coordinatorDc = coordinatorDc;
        this.datacenters = topology.datacenterNames();
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
        for (Datacenter dc : topology.datacenters()) {
            targets.add(new Target(dc.name(), "haproxy " + dc.name(), dc.haproxyRuntime()));
            topology.shards().forEach(shard -> shard.serverIn(dc.name()).ifPresent(server ->
                    targets.add(new Target(dc.name(), "mariadb " + server.id(), server.endpoint()))));
        }
    }

    /** One round: every target once; blocks for at most about the timeout, so never call it on an event loop. */
    public CoordinatorObservation probe() {
        Instant at = Instant.now();
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
