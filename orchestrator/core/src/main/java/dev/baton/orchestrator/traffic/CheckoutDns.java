package dev.baton.orchestrator.traffic;

import dev.baton.wire.Dns;

import java.time.Duration;
import java.util.Optional;

/**
 * The edge traffic step of an evacuation: point {@code checkout.example.test} at a DC's address
 * through the PowerDNS API, then wait until the server itself answers with it.
 */
public final class CheckoutDns implements DnsDirector {
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(5);

    private final Dns dns;
    private final PowerDnsClient api;
    private final AuthoritativeDns server;

    public CheckoutDns(Dns dns) {
        this.dns = dns;
        this.api = new PowerDnsClient(dns.apiUrl(), dns.apiKey());
        this.server = new AuthoritativeDns(dns.server());
    }

    /** The checkout record as the API holds it. */
    @Override
    public Optional<ARecord> current() {
        return api.aRecord(dns.zone(), dns.checkoutName());
    }

    @Override
    public DnsChange preview(String ip) {
        return new DnsChange(PowerDnsClient.fqdn(dns.zone()), PowerDnsClient.fqdn(dns.checkoutName()), current().orElse(null),
                new ARecord(PowerDnsClient.fqdn(dns.checkoutName()), ip, dns.ttl()));
    }

    @Override
    public DnsChange pointAt(String ip) {
        DnsChange change = api.setARecord(dns.zone(), dns.checkoutName(), ip, dns.ttl());
        server.awaitAddress(dns.checkoutName(), ip, SERVE_TIMEOUT);
        return change;
    }
}
