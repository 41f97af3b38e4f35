package dev.baton.chaos.workload.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Open-loop checkout load: each checkout starts at its planned time on its own virtual thread,
 * never waiting for the previous one, so a slow app shows up as latency and failures instead of
 * silently lowering the rate. Every checkout goes to whatever {@code checkout.example.test}
 * resolves to (TTL honoured), on the port of the DCs' checkout frontend (HAProxy, where a DC can be
 * drained) or of the apps themselves when the topology has no frontend, with a fresh idempotency key.
 */
public final class LoadGenerator implements AutoCloseable {
    /** How java.net.http says a connection closed before the reply's first byte (it has no exception type of its own). */
    private static final String NO_REPLY_BYTES = "received no bytes";
    private final LoadOptions options;
    private final CheckoutResolver resolver;
    private final Map<String, Endpoint> entriesByAddress;
    private final List<Endpoint> entries;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final Histogram latencyMicros = new ConcurrentHistogram(3);
    /** The same latencies, per interval: what {@link #awaitSteady} reads second by second. */
    private final Recorder recentMicros = new Recorder(3);
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong staleConnectionRetries = new AtomicLong();
    private final ConcurrentLinkedQueue<AcknowledgedOrder> orders = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FailedCheckout> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running;
    /** While true, checkouts go to every DC's entry in turn instead of where DNS points (see {@link #warmEveryDc}). */
    private volatile boolean everyDc;
    private final AtomicLong turn = new AtomicLong();
    private Thread scheduler;

    public LoadGenerator(Topology topology, LoadOptions options) {
        this.options = options;
        this.resolver = CheckoutResolver.of(topology.dns());
        this.entriesByAddress = topology.datacenters().stream()
                .collect(Collectors.toMap(dc -> dc.checkoutEntry().host(), Datacenter::checkoutEntry));
        this.entries = topology.datacenters().stream().map(Datacenter::checkoutEntry).toList();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    public synchronized void start() {
        if (scheduler != null) throw new IllegalStateException("load generator already started");
        running = true;
        scheduler = Thread.ofPlatform().name("load-scheduler").daemon().start(this::schedule);
    }

    /** Runs for {@code duration}, then stops and returns the result. */
    public LoadResult run(Duration duration) throws InterruptedException {
        start();
        Thread.sleep(duration);
        return stop();
    }

    /** Stops scheduling, waits for the checkouts in flight (bounded by the request timeout), returns the result. */
    public synchronized LoadResult stop() throws InterruptedException {
        if (scheduler == null) throw new IllegalStateException("load generator not started");
        running = false;
        scheduler.join();
        requests.shutdown();
        if (!requests.awaitTermination(options.requestTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
            requests.shutdownNow();
        }
        http.close();
        return snapshot();
    }

    /** The result so far; checkouts still in flight count in neither acknowledged nor failed. */
    public LoadResult snapshot() {
        return LoadResult.of(attempted.get(), LatencySummary.ofMicros(latencyMicros.copy()),
                new ArrayList<>(orders), new ArrayList<>(failures));
    }

    /** How many times the DNS server was asked (the TTL decides). */
    public long dnsLookups() {
        return resolver.lookups();
    }

    private void schedule() {
        long period = TimeUnit.SECONDS.toNanos(1) / options.ratePerSecond();
        long ramp = options.rampUp().toNanos();
        long start = System.nanoTime();
        long next = start;
        while (running) {
            long planned = next;
            // Behind schedule after a stall: the missed checkouts go out at once, as real customers would.
            for (long wait = planned - System.nanoTime(); wait > 0 && running; wait = planned - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (!running) break;
            attempted.incrementAndGet();
            requests.execute(() -> checkout(planned));
            long since = planned - start;
            next = planned + (ramp == 0 || since >= ramp ? period : (long) (period / Math.max(0.1, (double) since / ramp)));
        }
    }

    /**
     * Sends the checkouts of the next {@code duration} to every DC's entry in turn, not only where
     * DNS points, then goes back to DNS: a standby DC is kept warm in production (synthetic traffic),
     * while a lab's standby app would otherwise meet its first request, cold JIT and no pooled
     * connection, when a failover sends it everything at once. These are real orders, audited as all.
     */
    public void warmEveryDc(Duration duration) throws InterruptedException {
        everyDc = true;
        try {
            Thread.sleep(duration);
        } finally {
            everyDc = false;
        }
    }

    /** Sends checkouts to every DC's entry in turn (true) or where DNS points (false); see {@link #warmEveryDc}. */
    public void everyDc(boolean everyDc) {
        this.everyDc = everyDc;
    }

    /**
     * Waits until the lab is warm by measurement, not by the clock: checkout latency back at its steady
     * level. Each second's p99 (from each checkout's planned start, so a backlog counts) is compared with
     * the lowest seen so far; steady means {@link #STEADY_SECONDS} seconds in a row within twice that (or
     * 20 ms of it, for tiny figures), with no failed checkout in them and no backlog in flight.
     * Gives up after {@code max} and says so: the caller reports it rather than measuring a cold lab unawares.
     */
    public WarmUp awaitSteady(Duration max) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        List<Double> p99s = new ArrayList<>();
        double lowest = Double.MAX_VALUE;
        int inARow = 0;
        long failedBefore = failures.size();
        recentMicros.reset();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Histogram second = recentMicros.getIntervalHistogram();
            long failedNow = failures.size();
            boolean failedInIt = failedNow > failedBefore;
            failedBefore = failedNow;
            if (second.getTotalCount() == 0) {
                inARow = 0;
                p99s.add(null);
                continue;
            }
            double p99 = second.getValueAtPercentile(99) / 1000.0;
            p99s.add(p99);
            lowest = Math.min(lowest, p99);
            long inFlight = attempted.get() - orders.size() - failures.size();
            boolean steady = !failedInIt && inFlight <= Math.max(5, options.ratePerSecond() / 5)
                    && p99 <= Math.max(2 * lowest, lowest + 20);
            inARow = steady ? inARow + 1 : 0;
            if (inARow >= STEADY_SECONDS && recheck(p99s, lowest)) {
                return new WarmUp(true, (System.nanoTime() - start) / 1e9, lowest, p99s);
            }
        }
        return new WarmUp(false, (System.nanoTime() - start) / 1e9, lowest == Double.MAX_VALUE ? 0 : lowest, p99s);
    }

    /** Seconds in a row at the steady level before {@link #awaitSteady} calls the lab warm. */
    static final int STEADY_SECONDS = 3;

    /** The last seconds judged again against the final lowest p99, which may have dropped since they were judged. */
    private static boolean recheck(List<Double> p99s, double lowest) {
        for (Double p99 : p99s.subList(p99s.size() - STEADY_SECONDS, p99s.size())) {
            if (p99 == null || p99 > Math.max(2 * lowest, lowest + 20)) return false;
        }
        return true;
    }

    private void checkout(long plannedAtNanos) {
        String key = UUID.randomUUID().toString();
        try {
            Endpoint entry;
            if (everyDc) {
                entry = entries.get((int) (turn.getAndIncrement() % entries.size()));
            } else {
                InetAddress address = resolver.resolve();
                entry = entriesByAddress.get(address.getHostAddress());
                if (entry == null) {
                    fail(key, plannedAtNanos, "dns", resolver.name() + " resolves to " + address.getHostAddress()
                            + ", which is no datacenter's address " + entriesByAddress.keySet());
                    return;
                }
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + entry + "/checkout"))
                    .timeout(options.requestTimeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(key)))
                    .build();
            HttpResponse<String> response = send(request);
            if (response.statusCode() != 200) {
                fail(key, plannedAtNanos, "http " + response.statusCode(), response.body());
                return;
            }
            JsonNode reply = json.readTree(response.body());
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - plannedAtNanos);
            latencyMicros.recordValue(micros);
            recentMicros.recordValue(micros);
            orders.add(new AcknowledgedOrder(key, reply.path("shard").asText(), reply.path("orderId").asLong(),
                    reply.path("dc").asText()));
        } catch (HttpTimeoutException e) {
            fail(key, plannedAtNanos, "timeout", e.getMessage());
        } catch (IOException e) {
            fail(key, plannedAtNanos, "io " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            fail(key, plannedAtNanos, "interrupted", "load generator stopped before the reply came");
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends once more when a kept-alive connection closed before any byte of the reply came (the
     * peer closed it as it went idle while the request was on its way), as browsers do. Safe for a checkout, which its idempotency key makes idempotent; counted
     * in {@link #staleConnectionRetries()} so the report shows it.
     */
    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (e instanceof HttpTimeoutException || e.getMessage() == null || !e.getMessage().contains(NO_REPLY_BYTES)) throw e;
            staleConnectionRetries.incrementAndGet();
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Checkouts sent a second time because their kept-alive connection closed before any reply byte. */
    public long staleConnectionRetries() {
        return staleConnectionRetries.get();
    }

    private void fail(String key, long plannedAtNanos, String reason, String detail) {
        failures.add(new FailedCheckout(key, plannedAtNanos, reason, detail));
    }

    private String body(String key) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ObjectNode body = json.createObjectNode();
        body.put("shopId", random.nextLong(1, options.shops() + 1L));
        var items = body.putArray("items");
        for (int i = random.nextInt(1, 4); i > 0; i--) {
            items.addObject().put("sku", "SKU-" + random.nextInt(1, 500))
                    .put("qty", random.nextInt(1, 4))
                    .put("priceCents", random.nextLong(100, 10_000));
        }
        body.put("idempotencyKey", key);
        return body.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (running) stop();
    }
}
