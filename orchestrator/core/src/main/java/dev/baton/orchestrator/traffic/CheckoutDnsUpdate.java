package dev.baton.orchestrator.traffic;

import dev.baton.wire.Dns;

import java.time.Duration;
import java.util.Optional;

/**
 * Points {@code checkout.example.test} at a DC's address through RFC 2136 dynamic updates signed
 * with the topology's TSIG key, then waits until the server answers with it: {@link CheckoutDns}'s
 * job for servers (or setups) without the PowerDNS API.
 */
public final class CheckoutDnsUpdate implements DnsDirector {
    private static final Duration SERVE_TIMEOUT = Duration.ofSeconds(5);

    private final Dns dns;
    private final DnsUpdateClient client;
    private final AuthoritativeDns server;

    public CheckoutDnsUpdate(Dns dns) {
        if (dns.tsig() == null) {
            throw new IllegalArgumentException("the topology's DNS server " + dns.server() + " has no TSIG key (dns.tsig):"
                    + " dynamic updates of zone " + dns.zone() + " need one");
        }
        this.dns = dns;
        this.client = new DnsUpdateClient(dns.server(), dns.tsig());
        this.server = new AuthoritativeDns(dns.server());
    }

    /** The checkout record as the server answers it (its first address). */
    @Override
    public Optional<ARecord> current() {
        return client.aRecords(dns.checkoutName()).stream().findFirst();
    }

    @Override
    public DnsChange preview(String ip) {
        String name = PowerDnsClient.fqdn(dns.checkoutName());
        return new DnsChange(PowerDnsClient.fqdn(dns.zone()), name, current().orElse(null), new ARecord(name, ip, dns.ttl()));
    }

    @Override
    public DnsChange pointAt(String ip) {
        DnsChange change = client.setARecord(dns.zone(), dns.checkoutName(), ip, dns.ttl());
        server.awaitAddress(dns.checkoutName(), ip, SERVE_TIMEOUT);
        return change;
    }
}
