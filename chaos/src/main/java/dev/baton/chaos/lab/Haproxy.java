package dev.baton.chaos.lab;

import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** One HAProxy per DC: per shard a writer and a reader frontend, runtime API on TCP. */
final class Haproxy {
    static final String BINARY = "/usr/sbin/haproxy";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private Haproxy() {
    }

    /**
     * The writer backend has no health check: the orchestrator decides where writes go, never
     * HAProxy. During a switch the engine lowers the server's maxconn so new connections wait in
     * the backend queue ({@code timeout queue}); so no redispatch or retries here.
     * <p>
     * {@code timeout client-fin}: a connection a fence ended on the server's side stays open on the client's until the
     * client next uses it (an idle pooled connection: minutes), and HAProxy counts it in the server's {@code scur} all
     * that time. The hold's drain compares {@code scur} with the primary's sessions, so such leftovers made every drain
     * run to its bound (bench switchover: 104 of 112 drains, idle lab included). One second closes them.
     */
    static String config(Topology topology, Datacenter dc) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("""
                global
                    maxconn 8000
                    nbthread 1
                    stats socket ipv4@%s level admin
                    stats timeout 10s
                    log stdout format raw local0

                defaults
                    mode tcp
                    timeout connect 1s
                    timeout client 1h
                    timeout server 1h
                    timeout queue 5s
                    timeout client-fin 1s
                    timeout server-fin 1s
                """.formatted(dc.haproxyRuntime()));
        for (ShardFrontends f : dc.frontends()) {
            var shard = topology.shard(f.shard()).orElseThrow();
            Endpoint primary = shard.recordedPrimary().orElseThrow().endpoint();
            Endpoint local = shard.serverIn(dc.name()).orElseThrow().endpoint();
            cfg.append("""

                    frontend f%1$s
                        bind %2$s
                        default_backend %1$s
                    backend %1$s
                        server %3$s %4$s maxconn 1000

                    frontend f%5$s
                        bind %6$s
                        default_backend %5$s
                    backend %5$s
                        server db %7$s maxconn 1000
                    """.formatted(f.writerBackend(), f.writer(), f.writerServer(), primary,
                    f.readerBackend(), f.reader(), local));
        }
        if (dc.checkoutFrontend() != null) cfg.append(checkoutConfig(topology, dc));
        return cfg.toString();
    }

    /**
     * Checkout traffic reaching this DC: every DC's app is a server, named after its DC, and only the
     * local one has weight. Baton drains a DC by moving weights (weight 0 takes no new requests yet
     * stays usable), so there are no health checks here either. HAProxy 2.6 with every server at
     * weight 0 answers 503 "No server is available" at once (checked by hand); Baton never does that,
     * it raises the target's weight before lowering the source's.
     * <p>
     * Idle client connections are kept 75 s, longer than java.net.http keeps them (30 s): the side
     * that closes an idle connection should be the client, or a request crossing the close is lost
     * on the way. Only abnormal requests are logged (HAProxy's stdout, the lab's haproxy/DC.log).
     */
    private static String checkoutConfig(Topology topology, Datacenter dc) {
        StringBuilder cfg = new StringBuilder("""

                frontend fe_checkout
                    mode http
                    bind %s
                    timeout http-request 5s
                    timeout http-keep-alive 75s
                    log global
                    option httplog
                    option dontlog-normal
                    default_backend %s
                backend %2$s
                    mode http
                    balance roundrobin
                    timeout server 30s
                """.formatted(dc.checkoutFrontend().endpoint(), dc.checkoutFrontend().backend()));
        for (Datacenter app : topology.datacenters()) {
            cfg.append("    server %s %s weight %d%n".formatted(app.name(), app.checkoutApp(), app == dc ? 100 : 0));
        }
        return cfg.toString();
    }

    static List<String> prepare(Topology topology, Datacenter dc, Path home) {
        Path cfg = home.resolve(dc.name() + ".cfg");
        try {
            Files.createDirectories(home);
            Files.writeString(cfg, config(topology, dc));
        } catch (IOException e) {
            throw new LabException("cannot write " + cfg + ": " + e.getMessage(), e);
        }
        // Foreground (no -D): the PID the lab records is HAProxy's own.
        return List.of(BINARY, "-f", cfg.toString());
    }

    /** Waits until the runtime API answers {@code show info}. */
    static void awaitReady(LabProcess process, String marker) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (command(process.endpoint(), "show info").contains("Pid:")) return;
            } catch (IOException e) {
                if (Processes.gone(process.pid(), marker)) {
                    throw Processes.exitedWhileStarting(process.name(), process.pid(), process.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException(process.name() + " runtime API at " + process.endpoint() + " did not answer within "
                            + START_TIMEOUT.toSeconds() + " s (log: " + process.log() + ")");
                }
            }
            Processes.sleep(20);
        }
    }

    /** One runtime API command over TCP (non-interactive mode: HAProxy closes after answering). */
    static String command(Endpoint runtime, String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(runtime.host(), runtime.port()), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
