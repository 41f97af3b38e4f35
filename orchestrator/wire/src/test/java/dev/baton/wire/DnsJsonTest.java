package dev.baton.wire;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DnsJsonTest {
    private static final Tsig KEY = new Tsig("baton-lab.", "hmac-sha256", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=");

    private static Topology topology(Dns dns) {
        return new Topology("t", List.of(), List.of(), dns, new Endpoint("127.0.0.1", 2181),
                new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    private static Dns dns(Tsig tsig) {
        return new Dns("example.test.", "checkout.example.test.", 1, new Endpoint("127.0.0.1", 53), "http://127.0.0.1:1", "k", tsig);
    }

    @Test
    void theTsigKeyRoundTrips() {
        assertThat(Topology.fromJson(topology(dns(KEY)).toJson()).dns()).isEqualTo(dns(KEY));
    }

    @Test
    void aTopologyWrittenBeforeTsigStillReadsWithoutAKey() {
        String old = topology(dns(null)).toJson().replaceAll(",\\s*\"tsig\"\\s*:\\s*null", "");
        assertThat(old).doesNotContain("tsig");
        assertThat(Topology.fromJson(old).dns().tsig()).isNull();
        assertThat(Topology.fromJson(old).dns()).isEqualTo(new Dns("example.test.", "checkout.example.test.", 1,
                new Endpoint("127.0.0.1", 53), "http://127.0.0.1:1", "k"));
    }

    @Test
    void theSecretStaysOutOfToString() {
        assertThat(dns(KEY).toString()).contains("baton-lab.", "hmac-sha256").doesNotContain(KEY.secret());
    }
}
