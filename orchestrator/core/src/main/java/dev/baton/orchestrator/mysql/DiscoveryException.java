package dev.baton.orchestrator.mysql;

/** A shard's live roles make no sense (no or several writable primaries, a server unreachable where needed). */
public class DiscoveryException extends RuntimeException {
    public DiscoveryException(String message) {
        super(message);
    }
}
