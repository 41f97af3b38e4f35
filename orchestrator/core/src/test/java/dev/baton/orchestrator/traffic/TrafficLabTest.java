package dev.baton.orchestrator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The traffic actuators against a real 2 DC x 2 shard lab with its PowerDNS, HAProxies and checkout apps. */
class TrafficLabTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Lab lab;
    static Topology topology;
    static Datacenter east;
    static Datacenter west;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
        topology = lab.topology();
        east = topology.datacenter("east").orElseThrow();
        west = topology.datacenter("west").orElseThrow();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void theCheckoutRecordFlipsToWestAndBackOverDns() {
        CheckoutDns dns = new CheckoutDns(topology.dns());
        AuthoritativeDns server = new AuthoritativeDns(topology.dns().server());
        String name = topology.dns().checkoutName();
        ARecord atEast = new ARecord(name, east.address(), 1);
        ARecord atWest = new ARecord(name, west.address(), 1);
        assertThat(server.query(name)).contains(atEast);
        try {
            DnsChange flip = dns.pointAt(west.address());
            assertThat(flip).isEqualTo(new DnsChange(topology.dns().zone(), name, atEast, atWest));
            assertThat(flip.changed()).isTrue();
            assertThat(server.query(name)).contains(atWest);
            assertThat(dns.current()).contains(atWest);

            DnsChange again = dns.pointAt(west.address());
            assertThat(again.changed()).isFalse();
            assertThat(again.before()).isEqualTo(atWest);
        } finally {
            DnsChange back = dns.pointAt(east.address());
            assertThat(back.before()).isEqualTo(atWest);
        }
        assertThat(server.query(name)).contains(atEast);
    }

    @Test
    void aDrainedEastForwardsItsCheckoutsToWestsAppAndUndrainBringsThemBack() throws Exception {
        CheckoutDrain drain = new CheckoutDrain(topology);
        assertThat(drain.weights()).isEqualTo(Map.of(
                "east", Map.of("east", 100, "west", 0),
                "west", Map.of("east", 0, "west", 100)));
        assertThat(servedBy(east)).isEqualTo("east");
        try {
            DrainChange drained = drain.drain("east", "west");
            assertThat(drained.weights()).containsExactly(
                    new WeightChange("east", "b_checkout", "east", 100, 0),
                    new WeightChange("east", "b_checkout", "west", 0, 100),
                    new WeightChange("west", "b_checkout", "east", 0, 0),
                    new WeightChange("west", "b_checkout", "west", 100, 100));
            assertThat(servedBy(east)).isEqualTo("west");
            assertThat(servedBy(west)).isEqualTo("west");
            assertThat(drain.drain("east", "west").changed()).as("drain is idempotent").isFalse();
        } finally {
            DrainChange undrained = drain.undrain();
            assertThat(undrained.weights()).contains(new WeightChange("east", "b_checkout", "east", 0, 100),
                    new WeightChange("east", "b_checkout", "west", 100, 0));
        }
        assertThat(servedBy(east)).isEqualTo("east");
        assertThat(drain.undrain().changed()).as("undrain is idempotent").isFalse();
    }

    @Test
    void aSyntheticCheckoutAtWestLandsOnTheShardsPrimary() throws Exception {
        CheckoutVerifier verifier = new CheckoutVerifier(topology, Duration.ofSeconds(5));
        Verification verified = verifier.verify("west", 7);
        assertThat(verified.error()).isNull();
        assertThat(verified.ok()).isTrue();
        assertThat(verified.status()).isEqualTo(200);
        assertThat(verified.idempotencyKey()).startsWith(CheckoutVerifier.KEY_PREFIX);
        assertThat(verified.shard()).isEqualTo(topology.shardForShop(7).name());
        assertThat(orderIdOnPrimary(verified.shard(), verified.idempotencyKey())).isEqualTo(verified.orderId());

        List<Verification> everyShard = verifier.verifyEveryShard("west");
        assertThat(everyShard).allMatch(Verification::ok).extracting(Verification::shard).containsExactly("s1", "s2");
    }

    @Test
    void aVerifierAgainstADeadAppSaysWhyWithoutThrowing() throws Exception {
        Endpoint closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(west.address()))) {
            closed = new Endpoint(west.address(), socket.getLocalPort());
        }
        Datacenter deadWest = new Datacenter("west", west.address(), west.haproxyRuntime(), closed, west.frontends(),
                west.checkoutFrontend());
        Topology broken = new Topology(topology.name(), List.of(east, deadWest), topology.shards(), topology.dns(),
                topology.zookeeper(), topology.credentials());
        Verification failed = new CheckoutVerifier(broken, Duration.ofSeconds(2)).verify("west", 1);
        assertThat(failed.ok()).isFalse();
        assertThat(failed.status()).isZero();
        assertThat(failed.error()).contains("checkout app of west", closed.toString());
    }

    @Test
    void aWrongApiKeyIsRefusedNamingTheStatus() {
        Dns dns = topology.dns();
        PowerDnsClient client = new PowerDnsClient(dns.apiUrl(), "not-the-key");
        assertThatThrownBy(() -> client.aRecord(dns.zone(), dns.checkoutName()))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining(dns.zone());
        assertThatThrownBy(() -> client.setARecord(dns.zone(), dns.checkoutName(), west.address(), 1))
                .isInstanceOf(TrafficException.class).hasMessageContaining("HTTP 401");
        assertThat(new AuthoritativeDns(dns.server()).query(dns.checkoutName())).map(ARecord::ip).contains(east.address());
    }

    @Test
    void anUnknownZoneIsRefusedNamingTheZone() {
        Dns dns = topology.dns();
        PowerDnsClient client = new PowerDnsClient(dns.apiUrl(), dns.apiKey());
        assertThatThrownBy(() -> client.setARecord("no-such.test", "checkout.no-such.test", west.address(), 1))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("zone no-such.test.").hasMessageContaining("HTTP 4");
    }

    @Test
    void drainRefusesUnknownAndIdenticalDcsChangingNothing() {
        CheckoutDrain drain = new CheckoutDrain(topology);
        var before = drain.weights();
        assertThatThrownBy(() -> drain.drain("north", "west")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'north'").hasMessageContaining("[east, west]");
        assertThatThrownBy(() -> drain.drain("east", "east")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("into itself");
        assertThat(drain.weights()).isEqualTo(before);
    }

    /** POSTs a checkout to a DC's checkout frontend; returns the DC whose app placed it, after checking that app's /stats. */
    private static String servedBy(Datacenter entry) throws Exception {
        Map<String, Long> before = requestsPerApp();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://" + entry.checkoutFrontend().endpoint() + "/checkout"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"shopId": 3, "items": [{"sku": "tea", "qty": 1, "priceCents": 450}], "idempotencyKey": "%s"}
                        """.formatted(UUID.randomUUID()))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String dc = JSON.readTree(response.body()).path("dc").asText();
        Map<String, Long> after = requestsPerApp();
        for (Datacenter app : topology.datacenters()) {
            assertThat(after.get(app.name()) - before.get(app.name())).as("requests at %s's app", app.name())
                    .isEqualTo(app.name().equals(dc) ? 1 : 0);
        }
        return dc;
    }

    private static Map<String, Long> requestsPerApp() throws Exception {
        Map<String, Long> requests = new java.util.HashMap<>();
        for (Datacenter dc : topology.datacenters()) {
            HttpResponse<String> stats = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + dc.checkoutApp() + "/stats"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(stats.body());
            requests.put(dc.name(), body.path("requests").asLong());
        }
        return requests;
    }

    private static long orderIdOnPrimary(String shard, String key) throws Exception {
        DbServer primary = topology.shard(shard).orElseThrow().recordedPrimary().orElseThrow();
        Credentials c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(primary.endpoint(), c.database(), 2000, 10_000),
                c.adminUser(), c.adminPassword());
             PreparedStatement st = connection.prepareStatement("SELECT id FROM orders WHERE idem_key = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                assertThat(rs.next()).as("order %s on %s", key, primary.id()).isTrue();
                long id = rs.getLong(1);
                assertThat(rs.next()).as("order %s exactly once", key).isFalse();
                return id;
            }
        }
    }
}
