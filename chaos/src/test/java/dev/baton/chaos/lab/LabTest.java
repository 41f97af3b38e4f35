package dev.baton.chaos.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.standins.NotificationSink;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** One real 2 DC x 2 shard lab for the whole class. */
class LabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Lab lab;
    static Topology topology;

    @BeforeAll
    static void up() {
        long started = System.nanoTime();
        lab = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        System.out.printf("lab 2 DCs x 2 shards up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        topology = lab.topology();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void topologyHasEveryServerAndFrontend() {
        assertThat(topology.datacenters()).extracting(Datacenter::name, Datacenter::address)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("east", "127.0.1.1"),
                        org.assertj.core.groups.Tuple.tuple("west", "127.0.2.1"));
        assertThat(topology.shards()).extracting(Shard::name).containsExactly("s1", "s2");
        assertThat(topology.shard("s1").orElseThrow().servers()).extracting(DbServer::id).containsExactly("s1-east", "s1-west");
        assertThat(Topology.read(lab.topologyFile())).isEqualTo(topology);
        assertThat(lab.status().allRunning()).isTrue();
        assertThat(lab.status().table()).contains("mariadb s1-west", "haproxy east", "pdns", "zookeeper");
    }

    @Test
    void rowWrittenThroughEastWriterReachesWestReplica() throws Exception {
        String key = UUID.randomUUID().toString();
        for (Shard shard : topology.shards()) {
            ShardFrontends east = topology.datacenter("east").orElseThrow().frontendsOf(shard.name()).orElseThrow();
            try (Connection c = app(east.writer()); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('"
                        + key + "', 1, '[]', 100, 'east')");
            }
            DbServer west = shard.serverIn("west").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> count(west.endpoint(), key) == 1);
            try (Connection c = admin(west.endpoint()); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SHOW SLAVE STATUS")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("Using_Gtid")).isEqualTo("Slave_Pos");
                assertThat(rs.getString("Slave_IO_Running")).isEqualTo("Yes");
                assertThat(rs.getString("Slave_SQL_Running")).isEqualTo("Yes");
            }
        }
    }

    @Test
    void primaryWaitsForASemiSyncReplica() throws Exception {
        DbServer primary = topology.shard("s1").orElseThrow().recordedPrimary().orElseThrow();
        try (Connection c = admin(primary.endpoint()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(2)).isEqualTo(1);
        }
    }

    @Test
    void appCannotWriteOnAReadOnlyReplica() {
        DbServer west = topology.shard("s2").orElseThrow().serverIn("west").orElseThrow();
        assertThatThrownBy(() -> {
            try (Connection c = app(west.endpoint()); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO probe(shard) VALUES ('s2')");
            }
        }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(1290));
    }

    @Test
    void dnsAnswersCheckoutWithTtlOneAndTheFirstDc() throws Exception {
        Endpoint server = topology.dns().server();
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(server.host(), server.port()));
        resolver.setTimeout(Duration.ofSeconds(2));
        Message response = resolver.send(Message.newQuery(Record.newRecord(
                Name.fromString(topology.dns().checkoutName()), Type.A, DClass.IN)));
        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        List<Record> answers = response.getSection(Section.ANSWER);
        assertThat(answers).hasSize(1);
        assertThat(answers.getFirst().getTTL()).isEqualTo(1);
        assertThat(((ARecord) answers.getFirst()).getAddress().getHostAddress()).isEqualTo("127.0.1.1");
    }

    @Test
    void theTopologyCarriesTheLabsOwnTsigKeyForDynamicUpdates() {
        Tsig key = topology.dns().tsig();
        assertThat(key.name()).isEqualTo("baton-lab.");
        assertThat(key.algorithm()).isEqualTo("hmac-sha256");
        assertThat(Base64.getDecoder().decode(key.secret())).hasSize(32);
        assertThat(Layout.plan(LabSpec.defaults(dir.resolve("another"))).topology().dns().tsig().secret())
                .as("every lab draws its own secret").isNotEqualTo(key.secret());
    }

    @Test
    void zooKeeperAnswersRuok() throws Exception {
        assertThat(ZooKeeper.fourLetterWord(topology.zookeeper(), "ruok")).isEqualTo("imok");
    }

    @Test
    void everyHaproxyRuntimeApiShowsItsServers() throws Exception {
        for (Datacenter dc : topology.datacenters()) {
            String state = Haproxy.command(dc.haproxyRuntime(), "show servers state");
            assertThat(state).contains("w_s1 ", "w_s2 ", "r_s1 ", "r_s2 ");
            Endpoint s1Primary = topology.shard("s1").orElseThrow().recordedPrimary().orElseThrow().endpoint();
            assertThat(state.lines().filter(l -> l.contains(" w_s1 db ") || l.contains(" w_s1 1 db ")))
                    .singleElement().asString()
                    .contains(" " + s1Primary.host() + " ").contains(" " + s1Primary.port() + " ");
        }
    }

    @Test
    void secondUpOnTheSameDirIsANoOp() {
        long pid = lab.pidOf("mariadb s1-east");
        Lab again = Lab.up(LabSpec.defaults(dir.resolve("lab")));
        assertThat(again.topology()).isEqualTo(topology);
        assertThat(again.pidOf("mariadb s1-east")).isEqualTo(pid);
    }

    @Test
    void upWithAnotherSpecOnARunningDirIsRefused() {
        Path labDir = dir.resolve("lab");
        assertThatThrownBy(() -> Lab.up(new LabSpec(labDir, List.of("east", "west"), 3, 0, false)))
                .isInstanceOf(LabException.class)
                .hasMessageContaining(labDir.toString()).hasMessageContaining("already running");
        assertThat(lab.status().allRunning()).isTrue();
    }

    @Test
    void killedServerStartsAgainAndCatchesUp() throws Exception {
        DbServer west = topology.shard("s2").orElseThrow().serverIn("west").orElseThrow();
        long pid = lab.pidOf("mariadb s2-west");
        String key = UUID.randomUUID().toString();
        try {
            lab.kill("s2-west");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
            assertThat(lab.status().dead()).extracting(LabStatus.Entry::name).containsExactly("mariadb s2-west");
            long asked = System.nanoTime();
            ServerState down = lab.status().server("s2-west");
            assertThat(down.role()).isEqualTo(ServerState.Live.DOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(3));
            ShardFrontends east = topology.datacenter("east").orElseThrow().frontendsOf("s2").orElseThrow();
            try (Connection c = app(east.writer()); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('"
                        + key + "', 2, '[]', 100, 'east')");
            }
        } finally {
            lab.start("s2-west");
        }
        assertThat(lab.pidOf("mariadb s2-west")).isNotEqualTo(pid);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(west.endpoint(), key) == 1);
        assertThat(lab.status().allRunning()).isTrue();
    }

    @Test
    void statusAsksEveryServerItsLiveRole() throws Exception {
        LabStatus status = lab.status();
        assertThat(status.servers()).hasSize(4);
        assertThat(status.server("s1-east").role()).isEqualTo(ServerState.Live.PRIMARY);
        DbServer east = topology.shard("s1").orElseThrow().serverIn("east").orElseThrow();
        assertThat(status.server("s1-west").role()).isEqualTo(ServerState.Live.REPLICA);
        assertThat(status.server("s1-west").detail()).contains("IO Yes", "SQL Yes", east.endpoint().toString());
        assertThat(status.table()).containsPattern("s1-west\\s+s1\\s+west\\s+\\S+\\s+replica");

        DbServer west = topology.shard("s1").orElseThrow().serverIn("west").orElseThrow();
        try (Connection c = admin(west.endpoint()); Statement st = c.createStatement()) {
            st.execute("STOP SLAVE");
            try {
                assertThat(lab.status().server("s1-west").role()).isEqualTo(ServerState.Live.FENCED);
            } finally {
                st.execute("START SLAVE");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.status().server("s1-west").role() == ServerState.Live.REPLICA);
    }

    @Test
    void statusJsonHasTheTopologyAndTheLiveRoles() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lab.status().toJson());
        assertThat(Topology.fromJson(json.get("topology").toString())).isEqualTo(topology);
        assertThat(json.at("/topology/datacenters/1/address").asText()).isEqualTo("127.0.2.1");
        assertThat(json.at("/topology/datacenters/0/frontends/0/writer/port").asInt())
                .isEqualTo(topology.datacenters().getFirst().frontends().getFirst().writer().port());
        assertThat(json.get("servers").findValuesAsText("role")).contains("primary", "replica");
        assertThat(json.get("processes").findValuesAsText("name")).contains("pdns", "zookeeper", "haproxy west");
    }

    @Test
    void theStandInsAnswerInOneProcessAndStatusSaysWhatTheyStandIn() throws Exception {
        StandIns standIns = lab.standIns().orElseThrow();
        assertThat(standIns.consul().port()).isNotEqualTo(standIns.notifications().port());
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(standIns.consulUrl() + "/v1/kv/baton/lab-test"))
                .PUT(HttpRequest.BodyPublishers.ofString("west")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.body()).isEqualTo("true");
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(standIns.consulUrl() + "/v1/kv/baton/lab-test")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new String(Base64.getDecoder().decode(JSON.readTree(get.body()).get(0).get("Value").asText()))).isEqualTo("west");

        String page = "{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"lab test\"}}";
        HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(standIns.notifyUrl("pager")))
                .POST(HttpRequest.BodyPublishers.ofString(page)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sent.statusCode()).isEqualTo(202);
        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(standIns.notifyUrl("chat")))
                .POST(HttpRequest.BodyPublishers.ofString("hello")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not JSON");
        List<NotificationSink.Notification> received = NotificationSink.read(standIns.notificationsFile());
        assertThat(received).singleElement().satisfies(n -> {
            assertThat(n.channel()).isEqualTo("pager");
            assertThat(n.body().at("/payload/summary").asText()).isEqualTo("lab test");
        });
        assertThat(standIns.notificationsFile()).isEqualTo(lab.spec().dir().resolve("notifications.jsonl"));

        assertThat(lab.status().processes()).filteredOn(e -> e.name().equals(StandIns.PROCESS)).singleElement()
                .satisfies(e -> assertThat(e.endpoint()).isEqualTo(standIns.consul()));
        assertThat(lab.status().table()).contains("consul stand-in", "a stand-in, not Consul", standIns.consulUrl(),
                "notification sink", standIns.notifyUrl("<channel>"), standIns.notificationsFile().toString());
        assertThat(JSON.readTree(lab.status().toJson()).at("/standIns/consul/port").asInt()).isEqualTo(standIns.consul().port());
    }

    private static long count(Endpoint endpoint, String key) throws SQLException {
        try (Connection c = admin(endpoint); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM orders WHERE idem_key = '" + key + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection app(Endpoint endpoint) throws SQLException {
        var c = topology.credentials();
        return DriverManager.getConnection(Jdbc.url(endpoint, c.database(), 2000, 10_000), c.appUser(), c.appPassword());
    }

    private static Connection admin(Endpoint endpoint) throws SQLException {
        var c = topology.credentials();
        return DriverManager.getConnection(Jdbc.url(endpoint, c.database(), 2000, 10_000), c.adminUser(), c.adminPassword());
    }
}
