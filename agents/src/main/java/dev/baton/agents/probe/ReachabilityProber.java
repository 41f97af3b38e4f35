package dev.baton.agents.probe;

import dev.baton.wire.Endpoint;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP connect from this DC to an endpoint in another DC. Only the connect: whether the service
 * behind it is healthy is that DC's own agents' business; this says whether the link works.
 * Given several endpoints it connects to one per round, in turn: each is still tried every few
 * rounds, for a connect (and the listener's accept) per round instead of one per endpoint.
 */
public final class ReachabilityProber implements Prober {
    /** One endpoint and what it is, e.g. {@code mariadb s1-west}. */
    public record Target(String name, Endpoint endpoint) {
    }

    private final String fromDc;
    private final String toDc;
    private final List<Target> targets;
    private final int timeoutMs;
    private final AtomicInteger turn = new AtomicInteger();
    private volatile Target last;

    public ReachabilityProber(String fromDc, String toDc, String targetName, Endpoint target, Duration timeout) {
        this(fromDc, toDc, List.of(new Target(targetName, target)), timeout);
    }

    public ReachabilityProber(String fromDc, String toDc, List<Target> targets, Duration timeout) {
        if (targets.isEmpty()) throw new IllegalArgumentException("a reachability prober needs at least one target");
        this.fromDc = fromDc;
        this.toDc = toDc;
        this.targets = List.copyOf(targets);
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
        this.last = this.targets.getFirst();
    }

    @Override
    public ReachabilityProbe run() {
        Target target = targets.get(Math.floorMod(turn.getAndIncrement(), targets.size()));
        last = target;
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.endpoint().host(), target.endpoint().port()), timeoutMs);
            return new ReachabilityProbe(fromDc, toDc, target.name(), target.endpoint(), true, Elapsed.millisSince(started), null);
        } catch (IOException | RuntimeException e) {
            return new ReachabilityProbe(fromDc, toDc, target.name(), target.endpoint(), false, Elapsed.millisSince(started),
                    target.name() + " at " + target.endpoint() + ": " + Elapsed.describe(e));
        }
    }

    @Override
    public Probe failed(String error) {
        Target target = last;
        return new ReachabilityProbe(fromDc, toDc, target.name(), target.endpoint(), false, timeoutMs,
                target.name() + " at " + target.endpoint() + ": " + error);
    }
}
