package dev.baton.orchestrator.haproxy;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the real HAProxy of a one-DC, one-shard lab. */
class HaproxyRuntimeTest {
    @TempDir
    static Path dir;
    static Lab lab;
    static HaproxyRuntime runtime;
    static ShardFrontends frontends;
    static DbServer primary;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east"), 1, 0, false));
        Topology topology = lab.topology();
        runtime = new HaproxyRuntime(topology.datacenters().getFirst().haproxyRuntime());
        frontends = topology.datacenters().getFirst().frontendsOf("s1").orElseThrow();
        primary = topology.shard("s1").orElseThrow().servers().getFirst();
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void serversStateShowsTheWriterServer() {
        ServerState db = runtime.serverState(frontends.writerBackend(), frontends.writerServer());
        assertThat(db.address()).isEqualTo(primary.endpoint().host());
        assertThat(db.port()).isEqualTo(primary.endpoint().port());
        assertThat(db.operationalState()).isEqualTo(2);
        assertThat(db.inMaintenance()).isFalse();
        assertThat(db.maxconn()).isEqualTo(1000);
    }

    @Test
    void commandsSentToSeveralConnectionsAreAnsweredInTheirOrderAndAFailureNamesItsCommand() {
        String backend = frontends.writerBackend(), server = frontends.writerServer();
        Endpoint api = lab.topology().datacenters().getFirst().haproxyRuntime();
        try (HaproxyRuntime first = HaproxyRuntime.connect(api); HaproxyRuntime second = HaproxyRuntime.connect(api)) {
            List<Integer> maxconns = HaproxyRuntime.awaitAll(List.of(
                    first.sendServerMaxconn(backend, server, 7).then(none -> first.serverState(backend, server).maxconn()),
                    second.sendServersState(backend).then(servers -> second.server(backend, server, servers).maxconn())));
            assertThat(maxconns.getFirst()).as("read after its own set").isEqualTo(7);

            assertThatThrownBy(() -> HaproxyRuntime.awaitAll(List.of(first.sendServerMaxconn(backend, server, 1000),
                    second.sendServerMaxconn(backend, "no-such-server", 5))))
                    .isInstanceOf(HaproxyException.class).hasMessageContaining("no-such-server");
            // Both connections are free again, and the first one's command took effect.
            assertThat(first.serverState(backend, server).maxconn()).isEqualTo(1000);
            assertThat(second.serverState(backend, server).maxconn()).isEqualTo(1000);

            // A send that cannot even be written (two commands in one) leaves no connection locked behind it.
            assertThatThrownBy(() -> HaproxyRuntime.onEach(List.of(first, second),
                    r -> r == first ? r.sendServerMaxconn(backend, server, 1000) : r.sendServerMaxconn(backend, server + "; show info", 5)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(CompletableFuture.supplyAsync(() -> first.serverState(backend, server).maxconn()))
                    .as("the first connection, from another thread").succeedsWithin(Duration.ofSeconds(5)).isEqualTo(1000);
        } finally {
            runtime.setServerMaxconn(backend, server, 1000);
        }
    }

    @Test
    void setsAddressAndMaxconnAndPutsThemBack() {
        String backend = frontends.writerBackend(), server = frontends.writerServer();
        try {
            runtime.setServerAddrAndMaxconn(backend, server, "127.0.0.9", 4242, 7);
            ServerState moved = runtime.serverState(backend, server);
            assertThat(moved.address() + ":" + moved.port() + " " + moved.maxconn()).isEqualTo("127.0.0.9:4242 7");
        } finally {
            runtime.setServerAddr(backend, server, primary.endpoint().host(), primary.endpoint().port());
            runtime.setServerMaxconn(backend, server, 1000);
        }
        ServerState back = runtime.serverState(backend, server);
        assertThat(back.address() + ":" + back.port() + " " + back.maxconn()).isEqualTo(primary.endpoint() + " 1000");
    }

    @Test
    void errorsNameTheCommandAndTheHaproxy() {
        assertThatThrownBy(() -> runtime.setServerMaxconn("w_nope", "db", 1))
                .isInstanceOf(HaproxyException.class)
                .hasMessageContaining(runtime.endpoint().toString())
                .hasMessageContaining("'set maxconn server w_nope/db 1'")
                .hasMessageContaining("No such backend.");
        assertThatThrownBy(() -> runtime.setServerAddr(frontends.writerBackend(), "nope", "127.0.0.1", 1))
                .hasMessageContaining("No such server.");
        assertThatThrownBy(() -> runtime.serversState("w_nope")).hasMessageContaining("Can't find backend.");
        assertThatThrownBy(() -> new HaproxyRuntime(new Endpoint("127.0.0.1", 1)).execute("show info"))
                .isInstanceOf(HaproxyException.class).hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void aKeptConnectionServesManyCallsAndReportsErrorsPerCommand() {
        try (HaproxyRuntime kept = HaproxyRuntime.connect(runtime.endpoint())) {
            for (int i = 0; i < 3; i++) {
                assertThat(kept.serverState(frontends.writerBackend(), frontends.writerServer()).maxconn()).isEqualTo(1000);
            }
            assertThat(kept.execute(List.of("set maxconn server w_nope/db 1", "show servers state " + frontends.writerBackend())))
                    .satisfiesExactly(a -> assertThat(a).isEqualTo("No such backend."), a -> assertThat(a).startsWith("1\n# be_id"));
            kept.setServerMaxconn(frontends.writerBackend(), frontends.writerServer(), 1000);
        }
        assertThatThrownBy(() -> HaproxyRuntime.connect(new Endpoint("127.0.0.1", 1)))
                .isInstanceOf(HaproxyException.class).hasMessageContaining("127.0.0.1:1");
    }

    /**
     * The hold technique: with one holder connection and maxconn 1, a new connection is queued (no
     * greeting), and raising maxconn hands it to the server at once.
     */
    @Test
    void holderAndMaxconnOneQueueNewConnectionsUntilReleased() throws Exception {
        String backend = frontends.writerBackend(), server = frontends.writerServer();
        try (HolderConnection holder = HolderConnection.open(frontends.writer(), 1000);
             Socket client = new Socket()) {
            runtime.setServerMaxconn(backend, server, 1);
            client.connect(new InetSocketAddress(frontends.writer().host(), frontends.writer().port()), 1000);
            client.setSoTimeout(300);
            InputStream in = client.getInputStream();
            assertThatThrownBy(in::read).as("queued: no greeting while held").isInstanceOf(SocketTimeoutException.class);
            runtime.setServerMaxconn(backend, server, 1000);
            client.setSoTimeout(2000);
            assertThat(in.read()).as("greeted once released").isPositive();
        } finally {
            runtime.setServerMaxconn(backend, server, 1000);
        }
    }
    @Test
    void theGuardKeepsWritesHeldWhenTheHoldersCloseAndLetsThemGoWhenEnded() throws Exception {
        String backend = frontends.writerBackend(), server = frontends.writerServer();
        int before = runtime.serverState(backend, server).currentSessions();
        HolderConnection holder = HolderConnection.open(frontends.writer(), 1000);
        try (HoldGuard guard = HoldGuard.open(List.of(frontends.writer()), Duration.ofSeconds(3));
             Socket client = new Socket()) {
            assertThat(guard.connections()).isEqualTo(1);
            assertThat(runtime.serverState(backend, server).currentSessions()).as("holder and guard counted").isEqualTo(before + 2);
            runtime.setServerMaxconn(backend, server, 1);
            holder.close(); // what a coordinator's death does to its own holders
            client.connect(new InetSocketAddress(frontends.writer().host(), frontends.writer().port()), 1000);
            client.setSoTimeout(500);
            InputStream in = client.getInputStream();
            assertThatThrownBy(in::read).as("still queued: the guard holds the slot").isInstanceOf(SocketTimeoutException.class);
            guard.close();
            client.setSoTimeout(2000);
            assertThat(in.read()).as("greeted once the guard ended (maxconn 1, nothing holding)").isPositive();
        } finally {
            holder.close();
            runtime.setServerMaxconn(backend, server, 1000);
        }
    }

    @Test
    void aGuardThatCannotConnectSaysSo() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> HoldGuard.open(List.of(new dev.baton.wire.Endpoint("127.0.0.1", closedPort)), Duration.ofSeconds(2)))
                .isInstanceOf(HaproxyException.class).hasMessageContaining("could not hold");
    }
}
