package dev.baton.chaos.workload;

import dev.baton.chaos.bench.SessionCut;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.LostOrder;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.checkout.CheckoutApp;
import dev.baton.chaos.workload.checkout.CheckoutOptions;
import dev.baton.chaos.workload.load.AcknowledgedOrder;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.probe.ProbeResult;
import dev.baton.chaos.workload.probe.WriteProbe;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.baton.chaos.workload.AdminSql.primaryOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Load through DNS, the order audit, the DNS TTL, and the write probe, on a real 2 DC x 2 shard lab. */
class WorkloadLabTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;
    static AdminSql sql;
    static CheckoutApp east;
    static CheckoutApp west;

    @BeforeAll
    static void up() {
        lab = Lab.up(LabSpec.defaults(dir));
        topology = lab.topology();
        sql = new AdminSql(topology);
        east = CheckoutApp.start(topology, "east", CheckoutOptions.defaults());
        west = CheckoutApp.start(topology, "west", CheckoutOptions.defaults());
    }

    @AfterAll
    static void down() {
        try {
            if (east != null) east.close();
            if (west != null) west.close();
        } finally {
            if (lab != null) lab.close();
        }
    }

    @Test
    void loadThroughDnsIsAllAcknowledgedAndTheAuditCanFail() throws Exception {
        LoadResult load;
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(100))) {
            load = generator.run(Duration.ofSeconds(3));
        }

        assertThat(load.attempted()).isBetween(250L, 330L);
        assertThat(load.failureReasons()).isEmpty();
        assertThat(load.acknowledged()).isEqualTo(load.attempted());
        assertThat(load.ordersByShard()).containsOnlyKeys(topology.shards().stream().map(Shard::name).toList());
        assertThat(load.latencyMs().p50Ms()).isPositive().isLessThanOrEqualTo(load.latencyMs().p99Ms());

        OrderAudit audit = new OrderAudit(topology, Duration.ofSeconds(10));
        AuditResult clean = audit.check(load.orders());
        assertThat(clean.checked()).isEqualTo(load.orders().size());
        assertThat(clean.problems()).isEmpty();
        assertThat(clean.lagging()).isEmpty();
        assertThat(clean.lost()).isEmpty();
        assertThat(clean.duplicated()).isEmpty();
        assertThat(clean.primaries()).hasSize(topology.shards().size());
        assertThat(clean.clean()).isTrue();

        // Lose one order on one replica behind replication's back: the audit must name it.
        AcknowledgedOrder victim = load.orders().get(load.orders().size() / 2);
        Shard shard = topology.shard(victim.shard()).orElseThrow();
        DbServer replica = shard.serverIn("west").orElseThrow();
        try (var c = sql.connect(replica)) {
            c.createStatement().execute("SET SESSION sql_log_bin = 0");
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM orders WHERE idem_key = ?")) {
                delete.setString(1, victim.idempotencyKey());
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
        }
        AuditResult dirty = audit.check(load.orders());
        assertThat(dirty.lost()).containsExactly(new LostOrder(victim.idempotencyKey(), shard.name(), replica.id()));
        assertThat(dirty.lostOrders()).isEqualTo(1);
        assertThat(dirty.duplicated()).isEmpty();
        assertThat(dirty.clean()).isFalse();
    }

    @Test
    void aFenceUnderLoadCostsRetriesNotOrders() throws Exception {
        Shard shard = topology.shards().getFirst();
        DbServer primary = primaryOf(shard);
        long retriesBefore = east.stats().retries();
        LoadResult load;
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(100))) {
            generator.start();
            Thread.sleep(1_000);
            // What a switchover's fence does to the app: read_only, and its sessions (pooled ones too) ended.
            sql.execute(primary, "SET GLOBAL read_only = 1");
            try {
                sql.killSessionsOf(primary, topology.credentials().appUser());
            } finally {
                Thread.sleep(300);
                sql.execute(primary, "SET GLOBAL read_only = 0");
            }
            Thread.sleep(1_000);
            load = generator.stop();
        }

        assertThat(load.failureReasons()).as("%s", load.failures()).isEmpty();
        assertThat(load.acknowledged()).isEqualTo(load.attempted());
        assertThat(east.stats().retries()).isGreaterThan(retriesBefore);
        AuditResult audit = new OrderAudit(topology, Duration.ofSeconds(10)).check(load.orders());
        assertThat(audit.lost()).isEmpty();
        assertThat(audit.duplicated()).isEmpty();
        assertThat(audit.clean()).isTrue();
    }

    @Test
    void theDnsTtlIsHonoured() throws Exception {
        Dns dns = topology.dns();
        String eastAddress = topology.datacenter("east").orElseThrow().address();
        String westAddress = topology.datacenter("west").orElseThrow().address();
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(50))) {
            generator.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> generator.snapshot().acknowledged() > 20);
            long westBefore = west.stats().requests();

            long flipped = System.nanoTime();
            pointCheckoutAt(dns, westAddress);
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> west.stats().requests() > westBefore);
            long tookMs = (System.nanoTime() - flipped) / 1_000_000;
            assertThat(tookMs).as("first checkout at west after the flip").isLessThanOrEqualTo(2_000);

            // Once the old answer's TTL is over, east gets nothing more.
            Thread.sleep(1_500);
            long eastSettled = east.stats().requests();
            long westSettled = west.stats().requests();
            Thread.sleep(1_000);
            assertThat(east.stats().requests()).isEqualTo(eastSettled);
            assertThat(west.stats().requests()).isGreaterThan(westSettled);

            LoadResult load = generator.stop();
            assertThat(load.failed()).isZero();
            Map<String, Long> byDc = load.orders().stream()
                    .collect(Collectors.groupingBy(AcknowledgedOrder::dc, Collectors.counting()));
            assertThat(byDc).containsOnlyKeys("east", "west");
            assertThat(generator.dnsLookups()).isGreaterThanOrEqualTo(3);
        } finally {
            pointCheckoutAt(dns, eastAddress);
        }
    }

    @Test
    void loadGoesThroughTheDcsCheckoutFrontend() throws Exception {
        Datacenter eastDc = topology.datacenter("east").orElseThrow();
        String backend = eastDc.checkoutFrontend().backend();
        LoadResult load;
        // DNS still says east; east's HAProxy sends checkouts to west's app instead (west up first: never all at 0).
        haproxy(eastDc, "set server " + backend + "/west weight 100");
        haproxy(eastDc, "set server " + backend + "/east weight 0");
        try (LoadGenerator generator = new LoadGenerator(topology, LoadOptions.defaults().withRate(50))) {
            load = generator.run(Duration.ofSeconds(1));
        } finally {
            haproxy(eastDc, "set server " + backend + "/east weight 100");
            haproxy(eastDc, "set server " + backend + "/west weight 0");
        }
        assertThat(load.failureReasons()).isEmpty();
        assertThat(load.acknowledged()).isEqualTo(load.attempted()).isPositive();
        assertThat(load.orders()).extracting(AcknowledgedOrder::dc).containsOnly("west");
    }

    /** One HAProxy runtime API command; setting a weight answers nothing when it works. */
    private static void haproxy(Datacenter dc, String command) throws Exception {
        try (Socket socket = new Socket(dc.haproxyRuntime().host(), dc.haproxyRuntime().port())) {
            socket.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(command).isBlank();
        }
    }

    /** Replaces the checkout A record through the PowerDNS HTTP API. */
    private static void pointCheckoutAt(Dns dns, String address) throws Exception {
        String zone = dns.zone().endsWith(".") ? dns.zone() : dns.zone() + ".";
        String body = """
                {"rrsets": [{"name": "%s", "type": "A", "ttl": %d, "changetype": "REPLACE",
                  "records": [{"content": "%s", "disabled": false}]}]}""".formatted(dns.checkoutName(), dns.ttl(), address);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(dns.apiUrl() + "/api/v1/servers/localhost/zones/" + zone))
                    .header("X-API-Key", dns.apiKey()).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("PowerDNS PATCH: %s", response.body()).isEqualTo(204);
        }
    }

    @Test
    void theWriteProbeSeesAReadOnlyFenceAsAGap() throws Exception {
        Shard shard = topology.shards().getFirst();
        DbServer primary = primaryOf(shard);
        var writer = topology.datacenter("east").orElseThrow().frontendsOf(shard.name()).orElseThrow().writer();
        ProbeResult result;
        long fencedAt;
        long liftedAt;
        try (WriteProbe probe = WriteProbe.every10ms(shard.name(), writer, topology.credentials()).start()) {
            Thread.sleep(500);
            fencedAt = System.nanoTime();
            sql.execute(primary, "SET GLOBAL read_only = 1");
            try {
                Thread.sleep(300);
            } finally {
                sql.execute(primary, "SET GLOBAL read_only = 0");
            }
            liftedAt = System.nanoTime();
            Thread.sleep(500);
            result = probe.stop();
        }
        long window = Duration.ofMillis(200).toNanos();
        double gap = result.maxGapMs(fencedAt - window, liftedAt + window);

        assertThat(result.attempts()).hasSizeGreaterThan(50);
        // The upper bound leaves room for this machine's own stalls (seen up to 700 ms).
        assertThat(gap).isBetween(250.0, 2_000.0);
        assertThat(result.failures(fencedAt, liftedAt + window)).isGreaterThan(5);
        assertThat(result.errors(fencedAt, liftedAt + window)).allSatisfy(e -> assertThat(e).startsWith("1290"));
        assertThat(result.attempts().getLast().ok()).as("writes succeed again after the fence").isTrue();
    }

    @Test
    void aSessionCutEndsOnlyThePersistentProbesSessionWhichLosesOneWrite() throws Exception {
        Shard shard = topology.shards().getFirst();
        DbServer primary = primaryOf(shard);
        var writer = topology.datacenter("east").orElseThrow().frontendsOf(shard.name()).orElseThrow().writer();
        var credentials = topology.credentials();
        ProbeResult result;
        long cutAt;
        try (WriteProbe probe = new WriteProbe(shard.name(), writer, credentials, Duration.ofMillis(10), WriteProbe.Mode.POOLED).start();
             Connection bystander = DriverManager.getConnection(Jdbc.url(writer, credentials.database(), 3_000, 3_000),
                     credentials.appUser(), credentials.appPassword())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> probe.pooledSessionId().isPresent());
            Thread.sleep(200);
            cutAt = System.nanoTime();
            var outcomes = new SessionCut(topology, s -> probe.pooledSessionId()).switchAll(List.of(shard.name()), "west");
            assertThat(outcomes).singleElement().satisfies(o -> {
                assertThat(o.switched()).as(o.detail()).isTrue();
                assertThat(o.detail()).contains("on " + primary.id() + " ended; nothing moved");
            });
            Thread.sleep(300);
            result = probe.stop();
            // Another session of the same account, idle through the cut, is left alone.
            try (var st = bystander.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertThat(result.failures(cutAt, System.nanoTime())).isEqualTo(1);
        assertThat(result.attempts().getLast().ok()).isTrue();
        assertThat(primaryOf(shard)).as("nothing moved").isEqualTo(primary);
    }
}
