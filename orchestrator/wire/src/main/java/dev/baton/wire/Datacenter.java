package dev.baton.wire;

import java.util.List;
import java.util.Optional;

/**
 * One datacenter of the topology.
 *
 * @param address          the DC's own loopback address in the lab (e.g. 127.0.1.1)
 * @param haproxyRuntime   the DC HAProxy's runtime API (TCP, admin level)
 * @param checkoutApp      the DC's checkout app (HTTP)
 * @param frontends        per shard, the writer and reader frontends of this DC's HAProxy
 * @param checkoutFrontend this DC HAProxy's HTTP frontend for checkout traffic; null in a topology without one
 */
public record Datacenter(String name, String address, Endpoint haproxyRuntime, Endpoint checkoutApp,
                         List<ShardFrontends> frontends, CheckoutFrontend checkoutFrontend) {
    public Datacenter {
        frontends = List.copyOf(frontends);
    }

    public Optional<ShardFrontends> frontendsOf(String shard) {
        return frontends.stream().filter(f -> f.shard().equals(shard)).findFirst();
    }

    /** Where a client sends checkouts for this DC: the HAProxy frontend when there is one, else the app itself. */
    public Endpoint checkoutEntry() {
        return checkoutFrontend != null ? checkoutFrontend.endpoint() : checkoutApp;
    }
}
