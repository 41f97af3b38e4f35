package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.AdminSql;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.AcknowledgedOrder;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.baton.chaos.workload.AdminSql.primaryOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bulkhead per shard on a real lab: one shard's primary holds every write (FLUSH TABLES WITH READ LOCK)
 * while checkouts keep coming to both shards, open loop, 50 a second each.
 */
class ShardBulkheadLabTest {
    private static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static AdminSql sql;
    static Shard held;
    static Shard other;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper json = new ObjectMapper();
    CheckoutApp east;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir));
        topology = lab.topology();
        sql = new AdminSql(topology);
        held = topology.shards().get(0);
        other = topology.shards().get(1);
    }

    @AfterEach
    void closeApp() {
        if (east != null) east.close();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.close();
    }

    /** One checkout as the test's client saw it. */
    record Sent(String shard, String key, long plannedAt, long doneAt, int status, String body) {
        double latencyMs() {
            return (doneAt - plannedAt) / 1e6;
        }

        boolean plannedIn(long from, long to) {
            return plannedAt >= from && plannedAt <= to;
        }
    }

    @Test
    void aHeldShardWaitsAloneAndItsBacklogIsGoneWithinASecond() throws Exception {
        east = CheckoutApp.start(topology, "east", CheckoutOptions.defaults());
        int writes = CheckoutOptions.defaults().writesPerShard();
        DbServer primary = primaryOf(held);
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        long holdFrom;
        long holdTo;
        int maxWriting = 0;
        int maxWaiting = 0;
        long maxSessions = 0;
        long backlogGoneAt = -1;
        warmUp(sent);
        try (Load load = new Load(sent); Connection admin = sql.connect(primary); Statement sessions = admin.createStatement()) {
            Thread.sleep(1_000);
            try (Connection lock = sql.connect(primary); Statement st = lock.createStatement()) {
                st.execute("FLUSH TABLES WITH READ LOCK");
                holdFrom = System.nanoTime();
                while (System.nanoTime() - holdFrom < TimeUnit.MILLISECONDS.toNanos(500)) {
                    CheckoutStats stats = east.stats();
                    maxWriting = Math.max(maxWriting, stats.writing().get(held.name()));
                    maxWaiting = Math.max(maxWaiting, stats.waiting().get(held.name()));
                    maxSessions = Math.max(maxSessions, appSessions(sessions));
                    Thread.sleep(20);
                }
                st.execute("UNLOCK TABLES");
                holdTo = System.nanoTime();
            }
            // The backlog: checkouts of the held shard writing or waiting in the app, down to what steady load leaves.
            while (System.nanoTime() - holdTo < TimeUnit.SECONDS.toNanos(5)) {
                CheckoutStats stats = east.stats();
                if (stats.writing().get(held.name()) + stats.waiting().get(held.name()) <= 1) {
                    backlogGoneAt = System.nanoTime();
                    break;
                }
                Thread.sleep(5);
            }
            Thread.sleep(1_000);
        }

        List<Sent> heldDuring = during(sent, held, holdFrom, holdTo);
        List<Sent> otherBefore = during(sent, other, holdFrom - TimeUnit.SECONDS.toNanos(1), holdFrom);
        List<Sent> otherDuring = during(sent, other, holdFrom, holdTo);
        double drainMs = (backlogGoneAt - holdTo) / 1e6;
        System.out.printf("hold of %.0f ms: held shard at most %d writing, %d waiting, %d sessions on its primary; median latency "
                        + "held %.1f ms, other %.1f ms (before: %.1f ms); backlog gone %.0f ms after the release%n",
                (holdTo - holdFrom) / 1e6, maxWriting, maxWaiting, maxSessions, median(heldDuring), median(otherDuring),
                median(otherBefore), drainMs);
        assertThat(sent).allSatisfy(s -> assertThat(s.status()).as("%s", s).isEqualTo(200));
        // The hold happened and filled the held shard's bulkhead: the others waited for a turn...
        assertThat(maxWriting).isEqualTo(writes);
        assertThat(maxWaiting).isPositive();
        // ... and never held more of the primary's connections than the bulkhead allows (without it, one per checkout).
        assertThat(maxSessions).isBetween(1L, (long) writes);
        assertThat(median(heldDuring)).as("held shard's checkouts during the hold").isGreaterThan(150);
        // The other shard keeps its latency: its median during the hold near its median before (not the hold's ~250 ms).
        assertThat(median(otherDuring)).as("other shard during the hold; before: %.1f ms", median(otherBefore))
                .isLessThan(Math.max(100, 3 * median(otherBefore)));
        assertThat(backlogGoneAt).as("held shard's backlog never drained").isPositive();
        assertThat(drainMs).as("held shard's backlog gone after the release").isLessThan(1_000);
        assertAudited(sent);
    }

    @Test
    void aShardHeldLongerThanTheWaitFailsItsCheckoutsFastAndWritesNothingForThem() throws Exception {
        Duration wait = Duration.ofMillis(200);
        east = CheckoutApp.start(topology, "east", CheckoutOptions.defaults().withBulkhead(2, wait));
        DbServer primary = primaryOf(held);
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        long busyBefore = east.stats().shardBusy();
        long failedBefore = east.stats().failed();
        long holdFrom;
        long holdTo;
        warmUp(sent);
        try (Load load = new Load(sent)) {
            Thread.sleep(1_000);
            try (Connection lock = sql.connect(primary); Statement st = lock.createStatement()) {
                st.execute("FLUSH TABLES WITH READ LOCK");
                holdFrom = System.nanoTime();
                Thread.sleep(1_500);
                st.execute("UNLOCK TABLES");
                holdTo = System.nanoTime();
            }
            Thread.sleep(1_000);
        }

        List<Sent> busy = sent.stream().filter(s -> s.status() == 503).toList();
        assertThat(busy).as("checkouts refused while the shard was held").hasSizeGreaterThan(20)
                .allSatisfy(s -> {
                    String when = "planned %.0f ms after the hold began, %.0f ms after it ended".formatted(
                            (s.plannedAt() - holdFrom) / 1e6, (s.plannedAt() - holdTo) / 1e6);
                    assertThat(s.shard()).isEqualTo(held.name());
                    assertThat(s.body()).contains("busy").contains(held.name());
                    // Refused because of the hold: during it, or while its backlog drained through 2 turns.
                    assertThat(s.plannedIn(holdFrom - TimeUnit.MILLISECONDS.toNanos(300), holdTo + TimeUnit.SECONDS.toNanos(1)))
                            .as(when).isTrue();
                    // Fails fast: after the wait for a turn, not after the hold or the retry budget.
                    assertThat(s.latencyMs()).as(when).isLessThan(1_000);
                });
        System.out.printf("held shard: %d refused; the last planned %.0f ms after the hold ended%n", busy.size(),
                (busy.stream().mapToLong(Sent::plannedAt).max().orElseThrow() - holdTo) / 1e6);
        assertThat(east.stats().shardBusy() - busyBefore).isEqualTo(busy.size());
        assertThat(east.stats().failed() - failedBefore).isEqualTo(busy.size());
        assertThat(sent).filteredOn(s -> s.shard().equals(other.name()))
                .allSatisfy(s -> assertThat(s.status()).as("%s", s).isEqualTo(200));
        assertThat(sent).filteredOn(s -> s.status() != 503).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        for (Sent s : busy) {
            assertThat(sql.ordersWithKey(primary, s.key())).as("refused checkout %s wrote nothing", s.key()).isZero();
        }
        assertAudited(sent);
    }

    /** Every acknowledged checkout exists exactly once on its shard's primary and replicas. */
    private static void assertAudited(ConcurrentLinkedQueue<Sent> sent) throws Exception {
        List<AcknowledgedOrder> orders = new ArrayList<>();
        for (Sent s : sent) {
            if (s.status() != 200) continue;
            JsonNode reply = json.readTree(s.body());
            orders.add(new AcknowledgedOrder(s.key(), reply.path("shard").asText(), reply.path("orderId").asLong(),
                    reply.path("dc").asText()));
        }
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(10)).check(orders);
        assertThat(audit.lost()).isEmpty();
        assertThat(audit.duplicated()).isEmpty();
        assertThat(audit.clean()).as("%s", audit).isTrue();
    }

    private static List<Sent> during(ConcurrentLinkedQueue<Sent> sent, Shard shard, long from, long to) {
        return sent.stream().filter(s -> s.shard().equals(shard.name()) && s.plannedIn(from, to)).toList();
    }

    private static double median(List<Sent> sent) {
        assertThat(sent).as("checkouts in the window").isNotEmpty();
        double[] ms = sent.stream().mapToDouble(Sent::latencyMs).sorted().toArray();
        return ms[ms.length / 2];
    }

    /** The app's connections on the server of this admin session, busy or not. */
    private static long appSessions(Statement admin) throws Exception {
        try (ResultSet rs = admin.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE user = '"
                + topology.credentials().appUser() + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A few checkouts per shard one after another: a cold app's first ones (JIT, new connections) take their time. */
    private void warmUp(ConcurrentLinkedQueue<Sent> sent) {
        for (int i = 0; i < 10; i++) {
            for (Shard shard : List.of(held, other)) sent.add(send(shard, shopOf(shard), System.nanoTime()));
        }
    }

    /** Open-loop checkouts, one every 20 ms per shard, each on its own virtual thread, latency from its planned start. */
    private final class Load implements AutoCloseable {
        private final Thread scheduler;
        private final List<Thread> requests = new ArrayList<>();
        private volatile boolean running = true;

        Load(ConcurrentLinkedQueue<Sent> sent) {
            Map<Shard, Long> shops = Map.of(held, shopOf(held), other, shopOf(other));
            scheduler = Thread.ofPlatform().daemon().name("bulkhead-load").start(() -> {
                long next = System.nanoTime();
                while (running) {
                    long planned = next;
                    for (long w = planned - System.nanoTime(); w > 0; w = planned - System.nanoTime()) LockSupport.parkNanos(w);
                    shops.forEach((shard, shop) -> {
                        Thread t = Thread.startVirtualThread(() -> sent.add(send(shard, shop, planned)));
                        synchronized (requests) {
                            requests.add(t);
                        }
                    });
                    next = planned + EVERY_NANOS;
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            scheduler.join();
            synchronized (requests) {
                for (Thread t : requests) t.join();
            }
        }
    }

    private Sent send(Shard shard, long shop, long planned) {
        String key = UUID.randomUUID().toString();
        String body = """
                {"shopId": %d, "items": [{"sku":"A1","qty":1,"priceCents":500}], "idempotencyKey": "%s"}""".formatted(shop, key);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + east.endpoint() + "/checkout"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Sent(shard.name(), key, planned, System.nanoTime(), r.statusCode(), r.body());
        } catch (Exception e) {
            return new Sent(shard.name(), key, planned, System.nanoTime(), -1, e.toString());
        }
    }

    /** A shop whose orders live on this shard. */
    private static long shopOf(Shard shard) {
        for (long shop = 1; ; shop++) {
            if (topology.shardForShop(shop).name().equals(shard.name())) return shop;
        }
    }
}
