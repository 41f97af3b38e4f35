package dev.baton.wire;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DatacenterJsonTest {
    private static final Endpoint APP = new Endpoint("127.0.1.1", 8080);
    private static final Endpoint RUNTIME = new Endpoint("127.0.1.1", 9000);

    private static Topology topology(CheckoutFrontend frontend) {
        return new Topology("t", List.of(new Datacenter("east", "127.0.1.1", RUNTIME, APP, List.of(), frontend)), List.of(),
                new Dns("example.test.", "checkout.example.test.", 1, new Endpoint("127.0.0.1", 53), "http://127.0.0.1:1", "k"),
                new Endpoint("127.0.0.1", 2181), new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    @Test
    void theCheckoutFrontendRoundTripsAndIsWhereCheckoutsGo() {
        CheckoutFrontend frontend = new CheckoutFrontend(new Endpoint("127.0.1.1", 8443), "b_checkout");
        Topology read = Topology.fromJson(topology(frontend).toJson());
        Datacenter east = read.datacenter("east").orElseThrow();
        assertThat(east.checkoutFrontend()).isEqualTo(frontend);
        assertThat(east.checkoutEntry()).isEqualTo(frontend.endpoint());
    }

    @Test
    void aTopologyWrittenBeforeCheckoutFrontendsStillReadsAndCheckoutsGoToTheApp() {
        String old = topology(null).toJson().replaceAll(",\\s*\"checkoutFrontend\"\\s*:\\s*null", "");
        assertThat(old).doesNotContain("checkoutFrontend");
        Datacenter east = Topology.fromJson(old).datacenter("east").orElseThrow();
        assertThat(east.checkoutFrontend()).isNull();
        assertThat(east.checkoutEntry()).isEqualTo(APP);
    }
}
