package dev.baton.chaos.workload.load;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Open-loop checkout load: each checkout starts at its planned time, never waiting for the previous
 * one, so a slow app shows up as latency and failures instead of silently lowering the rate. Every
 * checkout goes to whatever {@code checkout.example.test} resolves to (TTL honoured), on the port of
 * the DCs' checkout frontend (HAProxy, where a DC can be drained) or of the apps themselves when the
 * topology has no frontend, with a fresh idempotency key.
 *
 * <p>One platform thread keeps the schedule (parking to the nanosecond, which an event loop's
 * millisecond timers would not); the requests run on one Vert.x event loop with a keep-alive pool per
 * DC entry. This JVM shares 2 cores with the lab it measures: with a virtual thread per checkout,
 * java.net.http and a Jackson tree per body it spent 1.6-1.7 ms of CPU per checkout at 200/s, this
 * way 0.7-0.8 ms ({@code WorkloadCpuLabTest}).
 */
public final class LoadGenerator implements AutoCloseable {
    /** How long a new connection may take, waiting for a free one included; what java.net.http was given here before. */
    private static final long CONNECT_TIMEOUT_MS = 2_000;
    /**
     * Idle client connections close after 20 s: before HAProxy's checkout frontend (75 s) and the JDK
     * server's (30 s) close theirs, since a request crossing the server's close is lost on the way.
     */
    private static final int KEEP_ALIVE_SECONDS = 20;
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private final LoadOptions options;
    private final CheckoutResolver resolver;
    private final Map<String, Endpoint> entriesByAddress;
    private final List<Endpoint> entries;
    private final ObjectReader replies = new ObjectMapper().readerFor(Placed.class);
    private final Histogram latencyMicros = new ConcurrentHistogram(3);
    /** The same latencies, per interval: what {@link #awaitSteady} reads second by second. */
    private final Recorder recentMicros = new Recorder(3);
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong staleConnectionRetries = new AtomicLong();
    private final ConcurrentLinkedQueue<AcknowledgedOrder> orders = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<FailedCheckout> failures = new ConcurrentLinkedQueue<>();
    /** Checkouts sent and not settled yet, by key: each is settled once, by its reply or by {@link #stop} giving up on it. */
    private final Map<String, Long> unsettled = new ConcurrentHashMap<>();
    private volatile boolean running;
    /** While true, checkouts go to every DC's entry in turn instead of where DNS points (see {@link #warmEveryDc}). */
    private volatile boolean everyDc;
    private final AtomicLong turn = new AtomicLong();
    private Thread scheduler;
    private Vertx vertx;
    private HttpClientAgent http;
    /** The one event loop every request runs on, so their callbacks never race each other. */
    private Context loop;

    /** The part of the app's reply the audit needs. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Placed(long orderId, String shard, String dc) {
    }

    /** One checkout on its way: where it goes and what it says. */
    private record Checkout(String key, long plannedAtNanos, Endpoint entry, Buffer body) {
    }

    public LoadGenerator(Topology topology, LoadOptions options) {
        this.options = options;
        this.resolver = CheckoutResolver.of(topology.dns());
        this.entriesByAddress = topology.datacenters().stream()
                .collect(Collectors.toMap(dc -> dc.checkoutEntry().host(), Datacenter::checkoutEntry));
        this.entries = topology.datacenters().stream().map(Datacenter::checkoutEntry).toList();
    }

    public synchronized void start() {
        if (scheduler != null) throw new IllegalStateException("load generator already started");
        // One event loop is plenty for a few hundred requests a second; the worker pools stay idle.
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                        .setConnectTimeout((int) CONNECT_TIMEOUT_MS).setName("checkout-load"),
                new PoolOptions().setHttp1MaxSize(connectionsPerEntry(options)));
        loop = vertx.getOrCreateContext();
        running = true;
        scheduler = Thread.ofPlatform().name("load-scheduler").daemon().start(this::schedule);
    }

    /**
     * As many connections per DC entry as the checkouts one request timeout can hold in flight: the
     * client must never be what delays a checkout (open loop), and an HTTP/1.1 connection carries one
     * request at a time, so a held app needs one connection per checkout waiting on it.
     */
    static int connectionsPerEntry(LoadOptions options) {
        long inOneTimeout = options.ratePerSecond() * Math.max(1, options.requestTimeout().toSeconds() + 1);
        return (int) Math.min(4_096, Math.max(64, inOneTimeout));
    }

    /** Runs for {@code duration}, then stops and returns the result. */
    public LoadResult run(Duration duration) throws InterruptedException {
        start();
        Thread.sleep(duration);
        return stop();
    }

    /**
     * Stops scheduling, waits for the checkouts in flight (bounded by the request timeout), returns the
     * result; a checkout still unanswered after that fails as {@code interrupted}.
     */
    public synchronized LoadResult stop() throws InterruptedException {
        if (scheduler == null) throw new IllegalStateException("load generator not started");
        running = false;
        scheduler.join();
        long deadline = System.nanoTime() + options.requestTimeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
        while (!unsettled.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
        for (Map.Entry<String, Long> left : unsettled.entrySet()) {
            if (unsettled.remove(left.getKey()) != null) {
                fail(left.getKey(), left.getValue(), "interrupted", "load generator stopped before the reply came");
            }
        }
        if (vertx != null) {
            http.close().await();
            vertx.close().await();
            vertx = null;
        }
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
            Checkout checkout = prepare(planned);
            if (checkout != null) loop.runOnContext(v -> send(checkout, false));
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

    /** Where the checkout goes and its body, or null when it already failed (no usable DNS answer). */
    private Checkout prepare(long plannedAtNanos) {
        String key = UUID.randomUUID().toString();
        Endpoint entry;
        if (everyDc) {
            entry = entries.get((int) (turn.getAndIncrement() % entries.size()));
        } else {
            InetAddress address;
            try {
                address = resolver.resolve();
            } catch (IOException e) {
                fail(key, plannedAtNanos, "io " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
                return null;
            }
            entry = entriesByAddress.get(address.getHostAddress());
            if (entry == null) {
                fail(key, plannedAtNanos, "dns", resolver.name() + " resolves to " + address.getHostAddress()
                        + ", which is no datacenter's address " + entriesByAddress.keySet());
                return null;
            }
        }
        unsettled.put(key, plannedAtNanos);
        return new Checkout(key, plannedAtNanos, entry, Buffer.buffer(body(key, options.shops(), ThreadLocalRandom.current())));
    }

    /**
     * On the event loop. When a kept-alive connection closed before any byte of the reply came (the
     * peer closed it as it went idle while the request was on its way) the checkout is sent once
     * more, as browsers do: safe, its idempotency key makes it idempotent; counted in
     * {@link #staleConnectionRetries()} so the report shows it.
     */
    private void send(Checkout checkout, boolean resent) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST)
                .setHost(checkout.entry().host()).setPort(checkout.entry().port()).setURI("/checkout")
                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                // No byte for this long fails the request and closes its connection, as java.net.http's timeout did.
                .setIdleTimeout(options.requestTimeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, JSON);
        boolean[] replied = {false};
        http.request(request)
                .compose(r -> r.send(checkout.body()))
                // body() in the callback that got the response: chained later, it could miss a body that already ended.
                .compose(response -> {
                    replied[0] = true;
                    return response.body().map(body -> new Answer(response.statusCode(), body));
                })
                .onComplete(answer -> {
                    if (answer.succeeded()) {
                        settle(checkout, answer.result());
                    } else if (!resent && !replied[0] && answer.cause() instanceof HttpClosedException) {
                        staleConnectionRetries.incrementAndGet();
                        send(checkout, true);
                    } else {
                        settleFailed(checkout, answer.cause());
                    }
                });
    }

    private record Answer(int status, Buffer body) {
    }

    private void settle(Checkout checkout, Answer answer) {
        if (unsettled.remove(checkout.key()) == null) return; // stop() gave up on it already
        if (answer.status() != 200) {
            fail(checkout.key(), checkout.plannedAtNanos(), "http " + answer.status(), answer.body().toString());
            return;
        }
        Placed placed;
        try {
            placed = replies.readValue(answer.body().getBytes());
        } catch (IOException e) {
            fail(checkout.key(), checkout.plannedAtNanos(), "bad reply", e.getMessage());
            return;
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - checkout.plannedAtNanos());
        latencyMicros.recordValue(micros);
        recentMicros.recordValue(micros);
        orders.add(new AcknowledgedOrder(checkout.key(), placed.shard(), placed.orderId(), placed.dc()));
    }

    private void settleFailed(Checkout checkout, Throwable cause) {
        if (unsettled.remove(checkout.key()) == null) return;
        String reason = cause instanceof TimeoutException ? "timeout"
                : cause instanceof IOException || cause instanceof HttpClosedException ? "io " + cause.getClass().getSimpleName()
                : "error " + cause.getClass().getSimpleName();
        fail(checkout.key(), checkout.plannedAtNanos(), reason, String.valueOf(cause.getMessage()));
    }

    /** Checkouts sent a second time because their kept-alive connection closed before any reply byte. */
    public long staleConnectionRetries() {
        return staleConnectionRetries.get();
    }

    private void fail(String key, long plannedAtNanos, String reason, String detail) {
        failures.add(new FailedCheckout(key, plannedAtNanos, reason, detail));
    }

    /**
     * A checkout of 1-3 random items for a random shop, written by hand: every value is a number or a
     * string that needs no escaping, so a Jackson tree per checkout would only cost garbage.
     */
    static String body(String key, int shops, ThreadLocalRandom random) {
        StringBuilder body = new StringBuilder(192).append("{\"shopId\":").append(random.nextLong(1, shops + 1L))
                .append(",\"items\":[");
        for (int i = random.nextInt(1, 4); i > 0; i--) {
            body.append("{\"sku\":\"SKU-").append(random.nextInt(1, 500))
                    .append("\",\"qty\":").append(random.nextInt(1, 4))
                    .append(",\"priceCents\":").append(random.nextLong(100, 10_000)).append(i > 1 ? "}," : "}");
        }
        return body.append("],\"idempotencyKey\":\"").append(key).append("\"}").toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (running) stop();
    }
}
