package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * One datacenter's checkout service: {@code POST /checkout} writes an order into the shop's shard
 * through this DC's HAProxy writer frontend; {@code GET /health}; {@code GET /stats}.
 * The JDK's HTTP server on virtual threads keeps it dependency-free; a request blocks on JDBC
 * for the length of a switchover's hold, which virtual threads make cheap.
 *
 * <p>Each shard has a bulkhead ({@link ShardBulkheads}): a shard whose writes are held makes its
 * own checkouts wait, up to {@link CheckoutOptions#waitForShard()}, and nobody else's. Nothing
 * else queues across shards: the server's dispatcher only hands each exchange to a virtual thread.
 * Vert.x's server with a virtual thread per checkout's JDBC was tried instead and cost about the
 * same (0.80 vs 0.87 ms of CPU per checkout at 200/s, within run-to-run noise; WorkloadCpuLabTest):
 * socket syscalls, virtual-thread I/O and JDBC are most of it, not the HTTP server.
 */
public final class CheckoutApp implements AutoCloseable {
    private final Topology topology;
    private final Datacenter dc;
    private final ObjectMapper json = new ObjectMapper();
    private final LongAdder requests = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder badRequests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder shardBusy = new LongAdder();
    private final CheckoutOptions options;
    private final ShardBulkheads bulkheads;
    private final WriterConnections connections;
    private final OrderWriter writer;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer server;

    /** Binds the DC's checkout endpoint and starts serving. */
    public static CheckoutApp start(Topology topology, String dcName, CheckoutOptions options) {
        return new CheckoutApp(topology, dcName, options);
    }

    private CheckoutApp(Topology topology, String dcName, CheckoutOptions options) {
        this.topology = topology;
        this.dc = topology.datacenter(dcName).orElseThrow(() -> new NoSuchElementException(
                "unknown datacenter " + dcName + "; the topology has " + topology.datacenterNames()));
        this.options = options;
        this.bulkheads = new ShardBulkheads(dc.frontends().stream().map(ShardFrontends::shard).toList(), options);
        this.connections = new WriterConnections(topology.credentials(), options);
        this.writer = new OrderWriter(connections, dc.name(), options, json, retries);
        try {
            connections.warmUp(dc.frontends().stream().map(ShardFrontends::writer).toList());
        } catch (SQLException e) {
            throw new IllegalStateException("checkout app " + dc.name() + ": bad writer frontend settings: " + e.getMessage(), e);
        }
        Endpoint at = dc.checkoutApp();
        try {
            server = HttpServer.create(new InetSocketAddress(at.host(), at.port()), 512);
        } catch (BindException e) {
            throw new UncheckedIOException("checkout app " + dc.name() + " cannot bind " + at + ": address in use", e);
        } catch (IOException e) {
            throw new UncheckedIOException("checkout app " + dc.name() + " cannot bind " + at + ": " + e.getMessage(), e);
        }
        server.setExecutor(executor);
        server.createContext("/checkout", ex -> {
            try {
                checkout(ex);
            } catch (RuntimeException e) {
                // Without a reply the JDK server just drops the connection; say what broke instead.
                failed.increment();
                reply(ex, 500, Map.of("error", "checkout app " + dc.name() + ": " + e));
            }
        });
        server.createContext("/health", ex -> {
            if (requireMethod(ex, "GET")) reply(ex, 200, Map.of("dc", dc.name(), "status", "ok"));
        });
        server.createContext("/stats", ex -> {
            if (requireMethod(ex, "GET")) reply(ex, 200, stats());
        });
        server.start();
    }

    public Endpoint endpoint() {
        return dc.checkoutApp();
    }

    public CheckoutStats stats() {
        return new CheckoutStats(dc.name(), requests.sum(), acknowledged.sum(), failed.sum(), badRequests.sum(),
                retries.sum(), shardBusy.sum(), bulkheads.writing(), bulkheads.waiting());
    }

    private void checkout(HttpExchange ex) throws IOException {
        if (!requireMethod(ex, "POST")) return;
        Reply r = checkout(ex.getRequestBody().readAllBytes());
        reply(ex, r.status(), r.body());
    }

    /** What an HTTP handler answers: a status and a body written as JSON. */
    record Reply(int status, Object body) {
    }

    /**
     * One {@code POST /checkout}: validate, take a turn at the shop's shard (waiting up to
     * {@link CheckoutOptions#waitForShard()}), write. Blocks, so it runs on a virtual thread of its own.
     */
    Reply checkout(byte[] body) {
        requests.increment();
        CheckoutRequest request;
        try {
            request = CheckoutRequest.parse(json, new String(body, StandardCharsets.UTF_8));
        } catch (CheckoutRequest.InvalidCheckout e) {
            badRequests.increment();
            return new Reply(400, Map.of("error", e.getMessage(), "field", e.field()));
        }
        Shard shard = topology.shardForShop(request.shopId());
        Endpoint frontend = dc.frontendsOf(shard.name()).map(ShardFrontends::writer).orElseThrow(() ->
                new IllegalStateException("datacenter " + dc.name() + " has no writer frontend for shard " + shard.name()));
        CheckoutOutcome outcome;
        try {
            outcome = placeInTurn(request, shard.name(), frontend);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.increment();
            return new Reply(503, Map.of("error", "checkout app " + dc.name() + " is shutting down"));
        }
        return switch (outcome) {
            case CheckoutOutcome.Placed p -> {
                acknowledged.increment();
                yield new Reply(200, p);
            }
            case CheckoutOutcome.ShardBusy b -> {
                failed.increment();
                shardBusy.increment();
                yield new Reply(503, error("shard " + b.shard() + " busy: " + b.writesAtOnce() + " writes under way and no turn within "
                        + b.waitedMs() + " ms", "shard", b.shard()));
            }
            case CheckoutOutcome.BudgetExhausted b -> {
                failed.increment();
                yield new Reply(503, error("retry budget exhausted after " + b.attempts() + " attempts; last: " + b.lastError(),
                        "shard", b.shard()));
            }
            case CheckoutOutcome.KeyConflict k -> {
                failed.increment();
                yield new Reply(409, error("idempotencyKey " + k.idempotencyKey() + " already names an order of shop "
                        + k.existingShopId(), "field", "idempotencyKey"));
            }
            case CheckoutOutcome.Failed f -> {
                failed.increment();
                yield new Reply(500, error(f.error(), "shard", f.shard()));
            }
        };
    }

    /** The write inside the shard's bulkhead: a held shard makes its own checkouts wait, and only those. */
    private CheckoutOutcome placeInTurn(CheckoutRequest request, String shard, Endpoint frontend) throws InterruptedException {
        long waitStarted = System.nanoTime();
        if (!bulkheads.enter(shard)) {
            if (Thread.interrupted()) throw new InterruptedException();
            return new CheckoutOutcome.ShardBusy(shard, options.writesPerShard(), (System.nanoTime() - waitStarted) / 1_000_000);
        }
        try {
            return writer.place(request, shard, frontend);
        } finally {
            bulkheads.leave(shard);
        }
    }

    private static Map<String, Object> error(String message, String key, String value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put(key, value);
        return body;
    }

    private boolean requireMethod(HttpExchange ex, String method) throws IOException {
        if (ex.getRequestMethod().equals(method)) return true;
        ex.getResponseHeaders().set("Allow", method);
        reply(ex, 405, Map.of("error", ex.getRequestURI().getPath() + " accepts " + method + " only"));
        return false;
    }

    private void reply(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise reply", e);
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops accepting, lets in-flight checkouts finish for up to a second. */
    @Override
    public void close() {
        server.stop(1);
        executor.close();
        connections.close();
    }
}
