package dev.baton.chaos.lab;

import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A lab with a checkout app per DC: child JVMs the lab starts, serves through, and stops by PID. */
class LabCheckoutAppsTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 2, 0, true));
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void everyDcHasAHealthyCheckoutAppOfItsOwn() throws Exception {
        for (Datacenter dc : lab.topology().datacenters()) {
            long pid = lab.pidOf("checkout " + dc.name());
            // /proc itself: ProcessHandle's commandLine() is cut short for a long classpath.
            String cmdline = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
            assertThat(cmdline).contains(Lab.CHECKOUT_MAIN).contains("--dc " + dc.name());
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(url(dc.checkoutApp(), "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"dc\":\"" + dc.name() + "\"");
        }
    }

    @Test
    void checkoutThroughTheWestAppLandsOnTheShardPrimary() throws Exception {
        Topology topology = lab.topology();
        String key = UUID.randomUUID().toString();
        long shop = 7;
        HttpResponse<String> placed = HTTP.send(HttpRequest.newBuilder(url(topology.datacenter("west").orElseThrow()
                        .checkoutApp(), "/checkout"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"shopId": %d, "items": [{"sku": "tea", "qty": 2, "priceCents": 450}], "idempotencyKey": "%s"}
                        """.formatted(shop, key))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
        DbServer primary = topology.shardForShop(shop).recordedPrimary().orElseThrow();
        var c = topology.credentials();
        try (Connection connection = DriverManager.getConnection(Jdbc.url(primary.endpoint(), c.database(), 2000, 10_000),
                c.adminUser(), c.adminPassword());
             Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery("SELECT shop_id, total_cents FROM orders WHERE idem_key = '" + key + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(shop);
            assertThat(rs.getLong(2)).isEqualTo(900);
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void downStopsTheCheckoutAppsByPid() {
        Path otherDir = dir.resolve("other");
        Lab other = Lab.up(new LabSpec(otherDir, List.of("east", "west"), 1, 0, true));
        List<Long> apps;
        List<Endpoint> endpoints;
        try {
            apps = other.topology().datacenters().stream().map(dc -> other.pidOf("checkout " + dc.name())).toList();
            endpoints = other.topology().datacenters().stream().map(Datacenter::checkoutApp).toList();
            assertThat(apps).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        } finally {
            other.down();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(apps).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertThat(endpoints).noneMatch(e -> Ports.isListening(e.host(), e.port()));
        // The first lab's apps are untouched.
        assertThat(lab.status().allRunning()).isTrue();
    }

    private static URI url(Endpoint endpoint, String path) {
        return URI.create("http://" + endpoint.host() + ":" + endpoint.port() + path);
    }
}
