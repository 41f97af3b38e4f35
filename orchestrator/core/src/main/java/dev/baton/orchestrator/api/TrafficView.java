package dev.baton.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.baton.orchestrator.traffic.AuthoritativeDns;
import dev.baton.orchestrator.traffic.CheckoutDrain;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;

import java.util.Map;

/**
 * Where checkout traffic goes now, read live: the checkout name's A record on the authoritative
 * DNS server, and each DC's HAProxy weights for the checkout servers. A part that cannot be read
 * says why instead of failing the whole answer.
 *
 * @param dnsDc     the DC whose address the record holds; null when none does (or it could not be read)
 * @param weights   per DC's HAProxy, each checkout server's weight (0: drained)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrafficView(String dnsName, String dnsAddress, Integer dnsTtl, String dnsDc, String dnsError,
                          Map<String, Map<String, Integer>> weights, String weightsError) {

    /** Blocking: one DNS query and a runtime-API read per DC's HAProxy. */
    static TrafficView read(Topology topology) {
        String name = topology.dns().checkoutName();
        String address = null, dc = null, dnsError = null, weightsError = null;
        Integer ttl = null;
        try {
            var record = new AuthoritativeDns(topology.dns().server()).query(name);
            if (record.isPresent()) {
                address = record.get().ip();
                ttl = record.get().ttl();
                String ip = address;
                dc = topology.datacenters().stream().filter(d -> d.address().equals(ip)).map(Datacenter::name).findFirst().orElse(null);
            } else {
                dnsError = "the DNS server has no A record for " + name;
            }
        } catch (RuntimeException e) {
            dnsError = e.getMessage();
        }
        Map<String, Map<String, Integer>> weights = null;
        try {
            weights = new CheckoutDrain(topology).weights();
        } catch (RuntimeException e) {
            weightsError = e.getMessage();
        }
        return new TrafficView(name, address, ttl, dc, dnsError, weights, weightsError);
    }
}
