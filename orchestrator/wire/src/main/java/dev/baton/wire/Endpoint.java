package dev.baton.wire;

/** A TCP (or UDP, for DNS) address: host and port. */
public record Endpoint(String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("endpoint host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("endpoint port out of range: " + port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
