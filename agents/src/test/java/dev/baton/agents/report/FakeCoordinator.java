package dev.baton.agents.report;

import com.sun.net.httpserver.HttpServer;
import dev.baton.wire.health.HealthReport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A coordinator stand-in: records what it receives; answers 401 to a wrong token, like the real one will. */
public final class FakeCoordinator implements AutoCloseable {
    public static final String TOKEN = "agent-secret";

    public record Received(String authorization, HealthReport report) {
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public FakeCoordinator(int port, Duration delay) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(HealthReport.PATH, ex -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            HealthReport report = HealthReport.fromJson(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int status = ("Bearer " + TOKEN).equals(auth) ? 204 : 401;
            if (status == 204) received.add(new Received(auth, report));
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public List<Long> sequences() {
        return received.stream().map(r -> r.report().sequence()).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

