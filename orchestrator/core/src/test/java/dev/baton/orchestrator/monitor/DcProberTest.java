package dev.baton.orchestrator.monitor;

import dev.baton.orchestrator.health.CoordinatorObservation;
import dev.baton.orchestrator.health.DcReach;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The prober against real sockets on loopback: a listening port, a closed one, and one that answers no SYN. */
class DcProberTest {
    private static final String HOST = "127.0.0.1";

    /** East: HAProxy and s1-east listen, s2-east's port is closed. West: HAProxy {@code westHaproxy}, both servers closed. */
    private static Topology topology(int eastHaproxy, int s1East, int closed, int westHaproxy) {
        Endpoint nowhere = new Endpoint(HOST, closed);
        List<Datacenter> dcs = List.of(
                new Datacenter("east", HOST, new Endpoint(HOST, eastHaproxy), nowhere, List.of(), null),
                new Datacenter("west", HOST, new Endpoint(HOST, westHaproxy), nowhere, List.of(), null));
        List<Shard> shards = List.of(
                new Shard("s1", 0, List.of(new DbServer("s1-east", "s1", "east", new Endpoint(HOST, s1East), Role.PRIMARY),
                        new DbServer("s1-west", "s1", "west", nowhere, Role.REPLICA))),
                new Shard("s2", 1, List.of(new DbServer("s2-east", "s2", "east", nowhere, Role.PRIMARY),
                        new DbServer("s2-west", "s2", "west", nowhere, Role.REPLICA))));
        return new Topology("probe", dcs, shards, new Dns("example.test.", "checkout.example.test.", 1, nowhere, "http://" + nowhere, "k"),
                nowhere, new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /** Each round asks every DC's HAProxy and one of its servers, the next one each round. */
    @Test
    void namesEveryTargetThatRefusesAndCountsADcWithOneAnswerAsReachable() throws IOException {
        try (ServerSocket haproxy = new ServerSocket(0, 50, InetAddress.getByName(HOST));
             ServerSocket s1 = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            int closed = closedPort();
            int westClosed = closedPort();
            // Nothing here waits for the timeout (every port listens or refuses at once): a long one only keeps a loaded
            // machine's slow connect from looking like a silent target.
            DcProber prober = new DcProber(topology(haproxy.getLocalPort(), s1.getLocalPort(), closed, westClosed), "c-east", "east",
                    Duration.ofSeconds(10));
            CoordinatorObservation first = prober.probe();
            CoordinatorObservation second = prober.probe();

            assertThat(first.coordinator()).isEqualTo("c-east");
            assertThat(first.dc()).isEqualTo("east");
            DcReach east = first.of("east").orElseThrow();
            assertThat(east.targets()).as("HAProxy and s1-east").isEqualTo(2);
            assertThat(east.failures()).isEmpty();
            DcReach eastAgain = second.of("east").orElseThrow();
            assertThat(eastAgain.targets()).as("HAProxy and s2-east").isEqualTo(2);
            assertThat(eastAgain.reachable()).isTrue();
            assertThat(eastAgain.failures()).singleElement().asString()
                    .startsWith("mariadb s2-east at 127.0.0.1:" + closed + ": ").containsIgnoringCase("refused");
            for (CoordinatorObservation seen : List.of(first, second)) {
                DcReach west = seen.of("west").orElseThrow();
                assertThat(west.reachable()).isFalse();
                assertThat(west.failures()).hasSize(2).first().asString().startsWith("haproxy west at 127.0.0.1:" + westClosed + ": ");
            }
        }
    }

    /**
     * A listener whose accept queue is full drops new SYNs, as a DC behind a dead link does: each
     * such connect costs the whole timeout, and the round still takes about one timeout, not one per target.
     */
    @Test
    void aRoundTakesAboutOneTimeoutWhenEveryTargetIsSilent() throws IOException {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            List<Socket> queued = new ArrayList<>();
            try {
                // Fill the accept queue; whatever does not fit already hangs, which is what this test needs.
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                        queued.add(s);
                    } catch (IOException timedOut) {
                        s.close();
                    }
                }
                int port = full.getLocalPort();
                // Long enough that one after the other (6 x 2 s) and at once (2 s) are seconds apart, whatever the load.
                Duration timeout = Duration.ofSeconds(2);
                DcProber prober = new DcProber(topology(port, port, port, port), "c-east", "east", timeout);
                long started = System.nanoTime();
                CoordinatorObservation seen = prober.probe();
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(seen.reach()).allSatisfy(r -> assertThat(r.reachable()).as(r.dc()).isFalse());
                assertThat(seen.of("west").orElseThrow().failures()).allSatisfy(f -> assertThat(f).containsIgnoringCase("timed out"));
                assertThat(took).as("4 silent targets at 2 s each, probed at once").isLessThan(timeout.multipliedBy(3));
            } finally {
                for (Socket s : queued) s.close();
            }
        }
    }
}
