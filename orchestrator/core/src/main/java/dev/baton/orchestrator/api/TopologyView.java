package dev.baton.orchestrator.api;

import dev.baton.wire.Credentials;
import dev.baton.wire.Dns;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;

/**
 * What {@code GET /topology} answers: the configured world and who leads. A viewer may read it,
 * so passwords, the DNS API key and the TSIG secret are replaced by {@link #HIDDEN}.
 *
 * @param leader empty while no coordinator leads
 */
public record TopologyView(String coordinator, String leader, Topology topology) {
    static final String HIDDEN = "(hidden)";

    static TopologyView of(String coordinator, String leader, Topology topology) {
        return new TopologyView(coordinator, leader, withoutSecrets(topology));
    }

    private static Topology withoutSecrets(Topology t) {
        Credentials c = t.credentials();
        Credentials credentials = c == null ? null
                : new Credentials(c.database(), c.adminUser(), HIDDEN, c.appUser(), HIDDEN, c.replUser(), HIDDEN);
        Dns d = t.dns();
        Dns dns = d == null ? null : new Dns(d.zone(), d.checkoutName(), d.ttl(), d.server(), d.apiUrl(), HIDDEN,
                d.tsig() == null ? null : new Tsig(d.tsig().name(), d.tsig().algorithm(), HIDDEN));
        return new Topology(t.name(), t.datacenters(), t.shards(), dns, t.zookeeper(), credentials);
    }
}
