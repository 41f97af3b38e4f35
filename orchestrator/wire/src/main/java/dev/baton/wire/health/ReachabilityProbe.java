package dev.baton.wire.health;

import dev.baton.wire.Endpoint;

/** Whether a TCP connection from this DC to an endpoint of another DC succeeded, and how fast. */
public record ReachabilityProbe(String fromDc, String toDc, String targetName, Endpoint target, boolean reachable,
                                long latencyMs, String error) implements Probe {
}
