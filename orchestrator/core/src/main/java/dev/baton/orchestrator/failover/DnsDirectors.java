package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.traffic.CheckoutDns;
import dev.baton.orchestrator.traffic.CheckoutDnsUpdate;
import dev.baton.orchestrator.traffic.DnsDirector;
import dev.baton.runbooks.model.Step;
import dev.baton.wire.Dns;

/**
 * The checkout record's director for each way a drain-dns step may go. The RFC 2136 one is made only
 * when a plan goes that way: it needs the TSIG key, which planning checked the topology has.
 */
final class DnsDirectors {
    private final Dns dns;
    private final CheckoutDns api;
    private volatile CheckoutDnsUpdate updates;

    DnsDirectors(Dns dns) {
        this.dns = dns;
        this.api = new CheckoutDns(dns);
    }

    DnsDirector via(Step.DnsVia via) {
        return switch (via) {
            case API -> api;
            case RFC2136 -> {
                if (updates == null) updates = new CheckoutDnsUpdate(dns);
                yield updates;
            }
        };
    }
}
