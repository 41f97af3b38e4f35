package dev.baton.wire;

/**
 * The authoritative DNS server that serves the checkout record.
 *
 * @param server       where DNS queries go (UDP and TCP)
 * @param apiUrl       PowerDNS HTTP API base, e.g. http://127.0.0.1:8081
 * @param apiKey       its X-API-Key
 * @param checkoutName fully qualified, e.g. checkout.example.test.
 * @param tsig         the key that signs RFC 2136 updates of the zone; null when the server takes none
 */
public record Dns(String zone, String checkoutName, int ttl, Endpoint server, String apiUrl, String apiKey, Tsig tsig) {

    /** A server changed through its HTTP API only. */
    public Dns(String zone, String checkoutName, int ttl, Endpoint server, String apiUrl, String apiKey) {
        this(zone, checkoutName, ttl, server, apiUrl, apiKey, null);
    }
}
