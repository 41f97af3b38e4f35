package dev.baton.orchestrator.traffic;

/** An A record as served: fully qualified name (trailing dot), IPv4 address, TTL in seconds. */
public record ARecord(String name, String ip, int ttl) {
}
