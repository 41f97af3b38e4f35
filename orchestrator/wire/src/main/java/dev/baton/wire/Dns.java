package dev.baton.wire;

/**
 * The authoritative DNS server that serves the checkout record.
 *
 * @param server       where DNS queries go (UDP and TCP)
 * @param apiUrl       PowerDNS HTTP API base, e.g. http://127.0.0.1:8081
 * @param apiKey       its X-API-Key
 * @param checkoutName fully qualified, e.g. checkout.example.test.
 */
public record Dns(String zone, String checkoutName, int ttl, Endpoint server, String apiUrl, String apiKey) {
}
