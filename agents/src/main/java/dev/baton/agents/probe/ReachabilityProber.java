package dev.baton.agents.probe;

import dev.baton.wire.Endpoint;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * A TCP connect from this DC to an endpoint in another DC. Only the connect: whether the service
 * behind it is healthy is that DC's own agents' business; this says whether the link works.
 */
public final class ReachabilityProber implements Prober {
    private final String fromDc;
    private final String toDc;
    private final String targetName;
    private final Endpoint target;
    private final int timeoutMs;

    public ReachabilityProber(String fromDc, String toDc, String targetName, Endpoint target, Duration timeout) {
        this.fromDc = fromDc;
        this.toDc = toDc;
        this.targetName = targetName;
        this.target = target;
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
    }

    @Override
    public ReachabilityProbe run() {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), timeoutMs);
            return new ReachabilityProbe(fromDc, toDc, targetName, target, true, Elapsed.millisSince(started), null);
        } catch (IOException | RuntimeException e) {
            return new ReachabilityProbe(fromDc, toDc, targetName, target, false, Elapsed.millisSince(started),
                    targetName + " at " + target + ": " + Elapsed.describe(e));
        }
    }

    @Override
    public Probe failed(String error) {
        return new ReachabilityProbe(fromDc, toDc, targetName, target, false, timeoutMs, targetName + " at " + target + ": " + error);
    }
}
