package dev.baton.orchestrator.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A synthetic checkout against one DC's checkout app, the way a customer's would be placed, to
 * prove the DC takes orders after an evacuation. Its idempotency key starts with {@code verify-}
 * so audits and people can tell these orders from real ones. Never throws for a failed checkout:
 * the failure is the answer.
 */
public final class CheckoutVerifier {
    public static final String KEY_PREFIX = "verify-";

    private final Topology topology;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /** @param timeout for the whole request, connection included */
    public CheckoutVerifier(Topology topology, Duration timeout) {
        this.topology = topology;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** One checkout for {@code shopId} at the app of DC {@code dcName}. */
    public Verification verify(String dcName, long shopId) {
        Datacenter dc = topology.datacenter(dcName).orElseThrow(() -> new IllegalArgumentException(
                "unknown DC '" + dcName + "'; the topology has " + topology.datacenterNames()));
        if (shopId < 1) throw new IllegalArgumentException("shop id must be positive, got " + shopId);
        String key = KEY_PREFIX + UUID.randomUUID();
        ObjectNode body = json.createObjectNode().put("shopId", shopId);
        body.putArray("items").addObject().put("sku", "baton-verify").put("qty", 1).put("priceCents", 0);
        body.put("idempotencyKey", key);
        URI uri = URI.create("http://" + dc.checkoutApp() + "/checkout");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long latencyMs = (System.nanoTime() - started) / 1_000_000;
            if (response.statusCode() != 200) {
                return new Verification(dcName, key, false, response.statusCode(), latencyMs, null, 0,
                        "checkout app of " + dcName + " at " + uri + " answered HTTP " + response.statusCode() + ": "
                                + errorOf(response.body()));
            }
            JsonNode reply = json.readTree(response.body());
            return new Verification(dcName, key, true, 200, latencyMs, reply.path("shard").asText(),
                    reply.path("orderId").asLong(), null);
        } catch (IOException e) {
            return new Verification(dcName, key, false, 0, (System.nanoTime() - started) / 1_000_000, null, 0,
                    "checkout app of " + dcName + " at " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verification(dcName, key, false, 0, (System.nanoTime() - started) / 1_000_000, null, 0,
                    "interrupted before the checkout app of " + dcName + " answered");
        }
    }

    /** The app's JSON {@code error}, or the body as it came when it is something else. */
    private String errorOf(String body) {
        try {
            return json.readTree(body).path("error").asText(body.strip());
        } catch (IOException e) {
            return body.strip();
        }
    }

    /**
     * One checkout per shard (a shop of each), all at once so the slowest shard sets the time, not
     * their sum; in shard order, so every switched shard is proven writable.
     */
    public List<Verification> verifyEveryShard(String dcName) {
        List<Future<Verification>> pending;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pending = topology.shards().stream().map(shard -> pool.submit(() -> verify(dcName, shopOf(shard)))).toList();
        }
        List<Verification> results = new ArrayList<>();
        for (Future<Verification> f : pending) {
            if (f.state() == Future.State.FAILED && f.exceptionNow() instanceof RuntimeException e) throw e;
            results.add(f.resultNow());
        }
        return results;
    }

    /** Shops map to shards by {@code shopId % shardCount}; shop ids start at 1. */
    private long shopOf(Shard shard) {
        return shard.index() == 0 ? topology.shards().size() : shard.index();
    }
}
