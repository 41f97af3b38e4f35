package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.AdminSql;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.baton.chaos.workload.AdminSql.primaryOf;
import static org.assertj.core.api.Assertions.assertThat;

/** The checkout app against real MariaDB and HAProxy: idempotency, validation, read-only retries. */
class CheckoutAppLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static AdminSql sql;
    static CheckoutApp east;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir));
        topology = lab.topology();
        sql = new AdminSql(topology);
        east = CheckoutApp.start(topology, "east", CheckoutOptions.defaults());
    }

    @AfterAll
    static void down() {
        try {
            if (east != null) east.close();
        } finally {
            if (lab != null) lab.close();
        }
    }

    static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + east.endpoint() + "/checkout"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String checkout(long shopId, String key) {
        return """
                {"shopId": %d, "items": [{"sku":"A1","qty":2,"priceCents":1299}], "idempotencyKey": "%s"}"""
                .formatted(shopId, key);
    }

    static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    @Test
    void aCheckoutIsWrittenOnceOnItsShopsShard() throws Exception {
        for (long shopId = 1; shopId <= topology.shards().size(); shopId++) {
            Shard shard = topology.shardForShop(shopId);
            String key = UUID.randomUUID().toString();
            JsonNode reply = ok(post(checkout(shopId, key)));

            assertThat(reply.path("shard").asText()).isEqualTo(shard.name());
            assertThat(reply.path("dc").asText()).isEqualTo("east");
            assertThat(reply.path("idempotencyKey").asText()).isEqualTo(key);
            assertThat(reply.path("attempts").asInt()).isEqualTo(1);
            assertThat(reply.path("orderId").asLong()).isPositive();
            for (Shard s : topology.shards()) {
                assertThat(sql.ordersWithKey(primaryOf(s), key)).as("order %s on %s", key, s.name())
                        .isEqualTo(s == shard ? 1 : 0);
            }
        }
    }

    @Test
    void theSameKeyTwiceIsOneOrder() throws Exception {
        String key = UUID.randomUUID().toString();
        long first = ok(post(checkout(7, key))).path("orderId").asLong();
        long second = ok(post(checkout(7, key))).path("orderId").asLong();

        assertThat(second).isEqualTo(first);
        assertThat(sql.ordersWithKey(primaryOf(topology.shardForShop(7)), key)).isEqualTo(1);
        // The same key for another shop of the same shard is a client bug, not a replay.
        HttpResponse<String> conflict = post(checkout(7 + topology.shards().size(), key));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json.readTree(conflict.body()).path("field").asText()).isEqualTo("idempotencyKey");
    }

    @Test
    void malformedInputIsRefusedNamingTheField() throws Exception {
        long before = east.stats().badRequests();
        assertBadRequest("{\"shopId\": 1, \"items\": [", "body");
        assertBadRequest("{\"items\": [{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}], \"idempotencyKey\": \"k\"}", "shopId");
        assertBadRequest("{\"shopId\": 1, \"items\": [], \"idempotencyKey\": \"k\"}", "items");
        assertThat(east.stats().badRequests()).isEqualTo(before + 3);
    }

    private static void assertBadRequest(String body, String field) throws Exception {
        HttpResponse<String> response = post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode reply = json.readTree(response.body());
        assertThat(reply.path("field").asText()).isEqualTo(field);
        assertThat(reply.path("error").asText()).startsWith(field + ":");
    }

    @Test
    void aShortReadOnlyFenceIsRetriedThrough() throws Exception {
        DbServer primary = primaryOf(topology.shardForShop(3));
        String key = UUID.randomUUID().toString();
        long retriesBefore = east.stats().retries();
        sql.execute(primary, "SET GLOBAL read_only = 1");
        try {
            Thread lift = Thread.startVirtualThread(() -> {
                try {
                    Thread.sleep(300);
                    sql.execute(primary, "SET GLOBAL read_only = 0");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode reply = ok(post(checkout(3, key)));
            lift.join();

            assertThat(reply.path("attempts").asInt()).isGreaterThan(1);
            assertThat(east.stats().retries() - retriesBefore).isEqualTo(reply.path("attempts").asInt() - 1);
            assertThat(sql.ordersWithKey(primary, key)).isEqualTo(1);
        } finally {
            sql.execute(primary, "SET GLOBAL read_only = 0");
        }
    }

    @Test
    void aPooledConnectionKilledByTheFenceIsRetriedOnANewOne() throws Exception {
        DbServer primary = primaryOf(topology.shardForShop(5));
        ok(post(checkout(5, UUID.randomUUID().toString()))); // leaves an idle connection to the writer
        List<Long> killed = new ArrayList<>();
        try (var c = sql.connect(primary); var st = c.createStatement();
             var rs = st.executeQuery("SELECT id FROM information_schema.PROCESSLIST WHERE user = '"
                     + topology.credentials().appUser() + "'")) {
            while (rs.next()) killed.add(rs.getLong(1));
        }
        assertThat(killed).as("the app's idle connection on %s", primary.id()).isNotEmpty();
        for (long id : killed) sql.execute(primary, "KILL CONNECTION " + id);

        String key = UUID.randomUUID().toString();
        JsonNode reply = ok(post(checkout(5, key)));
        assertThat(reply.path("attempts").asInt()).isGreaterThan(1);
        assertThat(sql.ordersWithKey(primary, key)).isEqualTo(1);
    }

    @Test
    void aFenceLongerThanTheBudgetFailsWithoutWriting() throws Exception {
        DbServer primary = primaryOf(topology.shardForShop(4));
        String key = UUID.randomUUID().toString();
        sql.execute(primary, "SET GLOBAL read_only = 1");
        HttpResponse<String> response;
        long started = System.nanoTime();
        try {
            response = post(checkout(4, key));
        } finally {
            sql.execute(primary, "SET GLOBAL read_only = 0");
        }
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(json.readTree(response.body()).path("error").asText())
                .contains("budget").contains("1290").contains(topology.shardForShop(4).name());
        assertThat(tookMs).isBetween(1_900L, 5_000L);
        assertThat(sql.ordersWithKey(primary, key)).isZero();
        // The client may retry the same checkout once the shard is writable again: exactly one order.
        ok(post(checkout(4, key)));
        assertThat(sql.ordersWithKey(primary, key)).isEqualTo(1);
    }
}
