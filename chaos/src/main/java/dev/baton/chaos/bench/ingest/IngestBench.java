package dev.baton.chaos.bench.ingest;

import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Agent reports posted to one coordinator open-loop at a fixed rate, as many agents taking
 * turns, each with its own increasing sequence. A report's latency runs from the moment it was
 * due (not when a connection became free), so a coordinator that falls behind shows it rather
 * than slowing the load down. The coordinator's RSS is sampled every second from /proc.
 */
public final class IngestBench {
    /** An agent as registered in the coordinator's config; {@code token} is the plain bearer token. */
    public record Agent(String id, String dc, String token) {
    }

    /**
     * @param connections keep-alive connections at most; reports due while all are busy wait in the client's queue
     */
    public record Options(int ratePerSecond, Duration warmup, Duration measure, int connections) {
        public Options {
            if (ratePerSecond < 1) throw new IllegalArgumentException("rate must be at least 1 report/s, got " + ratePerSecond);
            if (measure.toSeconds() < 1) throw new IllegalArgumentException("measure at least 1 s, got " + measure);
            if (connections < 1) throw new IllegalArgumentException("connections must be at least 1, got " + connections);
        }
    }

    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String reportsUrl;
    private final SyntheticReports reports;
    private final List<Agent> agents;
    private final long coordinatorPid;
    private final Options options;
    private final PrintStream log;

    private final Recorder window = new Recorder(MAX_LATENCY_MICROS, 3);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    /** 2xx answers that came in during the measured seconds, whichever report they answered: the coordinator's rate. */
    private final LongAdder answeredInMeasure = new LongAdder();
    private final AtomicLong maxDispatchLagMicros = new AtomicLong();
    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureEndNanos = Long.MIN_VALUE;

    /** @param coordinatorUrl e.g. {@code http://127.0.1.1:40000} */
    public IngestBench(String coordinatorUrl, Topology topology, List<Agent> agents, long coordinatorPid, Options options,
                       PrintStream log) {
        if (agents.isEmpty()) throw new IllegalArgumentException("the ingest bench needs at least one agent");
        this.reportsUrl = coordinatorUrl + HealthReport.PATH;
        this.reports = new SyntheticReports(topology);
        this.agents = List.copyOf(agents);
        this.coordinatorPid = coordinatorPid;
        this.options = options;
        this.log = log;
    }

    public IngestReport run() throws InterruptedException {
        Instant startedAt = Instant.now();
        Vertx vertx = Vertx.vertx();
        HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(options.connections()));
        RssSampler rss = new RssSampler(coordinatorPid);
        rss.start();
        try {
            long period = TimeUnit.SECONDS.toNanos(1) / options.ratePerSecond();
            long warmupNanos = options.warmup().toNanos();
            // The warm-up ramps the rate up from 0 (half the reports of full rate): a cold coordinator's JIT gets to work at
            // a rate it can serve, instead of building a backlog the measured phase would inherit.
            long warmupReports = options.ratePerSecond() * options.warmup().toSeconds() / 2;
            long total = warmupReports + options.ratePerSecond() * options.measure().toSeconds();
            long[] sequences = new long[agents.size()];
            // Like a real agent, each sends its next report only once the previous one is answered: reports of one agent
            // never overtake each other on parallel connections (the coordinator would refuse the older as replayed).
            @SuppressWarnings("unchecked")
            Future<Void>[] previous = new Future[agents.size()];
            java.util.Arrays.fill(previous, Future.succeededFuture());
            CountDownLatch answered = new CountDownLatch((int) total);
            long start = System.nanoTime();
            measureStartNanos = start + warmupNanos;
            measureEndNanos = measureStartNanos + options.measure().toNanos();
            log.printf("ingest bench: %d agents, %d reports/s, %d s warm-up then %d s measured, at most %d connections%n",
                    agents.size(), options.ratePerSecond(), options.warmup().toSeconds(), options.measure().toSeconds(),
                    options.connections());
            List<IngestReport.Window> windows = new ArrayList<>();
            Histogram overall = new Histogram(MAX_LATENCY_MICROS, 3);
            Histogram interval = null;
            long nextWindow = measureStartNanos + TimeUnit.SECONDS.toNanos(1);
            for (long i = 0; i < total; i++) {
                long due = i < warmupReports
                        ? start + (long) (warmupNanos * Math.sqrt((double) i / warmupReports)) // i reports by t: rate·t²/(2·warm-up)
                        : measureStartNanos + (i - warmupReports) * period;
                long now;
                while ((now = System.nanoTime()) < due) LockSupport.parkNanos(due - now);
                if (now >= nextWindow) {
                    interval = window.getIntervalHistogram(interval);
                    windows.add(closeWindow(windows.size() + 1, interval, overall, rss));
                    nextWindow += TimeUnit.SECONDS.toNanos(1);
                }
                if (due >= measureStartNanos) {
                    maxDispatchLagMicros.accumulateAndGet(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due), Math::max);
                }
                int a = (int) (i % agents.size());
                Agent agent = agents.get(a);
                long sequence = ++sequences[a];
                // Counted when due: one still waiting behind its agent's previous report at the end is "no answer".
                if (due >= measureStartNanos) sent.increment();
                previous[a] = previous[a].transform(ignored -> send(client, agent, sequence, due, answered));
            }
            long sendEnd = System.nanoTime();
            // Every report answered (or timed out) before the last window closes.
            if (!answered.await(REQUEST_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS)) {
                log.println("ingest bench: " + answered.getCount() + " reports still unanswered " + REQUEST_TIMEOUT.toSeconds()
                        + " s after the last was due");
            }
            long unanswered = sent.sum() - outcomes.values().stream().mapToLong(LongAdder::sum).sum();
            if (unanswered > 0) outcomes.computeIfAbsent("no answer", k -> new LongAdder()).add(unanswered);
            interval = window.getIntervalHistogram(interval);
            if (interval.getTotalCount() > 0) windows.add(closeWindow(windows.size() + 1, interval, overall, rss));
            double sendingSeconds = (sendEnd - measureStartNanos) / 1e9;
            double measureSeconds = options.measure().toNanos() / 1e9;
            return IngestReport.of(new IngestReport.Config(agents.size(), options.ratePerSecond(), options.measure().toSeconds(),
                            options.warmup().toSeconds(), options.connections(), Runtime.getRuntime().availableProcessors(),
                            startedAt.toString()),
                    sent.sum(), answeredInMeasure.sum() / measureSeconds, sent.sum() / sendingSeconds,
                    new TreeMap<>(Map.copyOf(outcomes.entrySet().stream()
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())))),
                    overall, windows, maxDispatchLagMicros.get() / 1000.0, rss.maxMb(true), rss.maxMb(false), rss.measuredCpuSeconds());
        } finally {
            rss.stop();
            client.close().await();
            vertx.close().await();
        }
    }

    private IngestReport.Window closeWindow(int second, Histogram interval, Histogram overall, RssSampler rss) {
        overall.add(interval);
        return new IngestReport.Window(second, interval.getTotalCount(), micros(interval.getValueAtPercentile(99)),
                micros(interval.getMaxValue()), rss.lastMb());
    }

    private Future<Void> send(HttpClientAgent client, Agent agent, long sequence, long due, CountDownLatch answered) {
        Buffer body = Buffer.buffer(reports.report(agent.id(), agent.dc(), sequence, Instant.now()).toJson());
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(reportsUrl)
                .setTimeout(REQUEST_TIMEOUT.toMillis())
                .putHeader("Authorization", "Bearer " + agent.token()).putHeader("Content-Type", "application/json");
        boolean measured = due >= measureStartNanos;
        // Where a report that never completes got stuck; the bench's own deadline makes it an outcome, not a hang.
        String[] stage = {"waiting for a connection"};
        return client.request(request)
                .compose(r -> {
                    stage[0] = "sent";
                    // body() in the same callback that got the response: one chained later can miss an answer that has
                    // already ended (a 204 ends with its headers)
                    return r.send(body).compose(response -> {
                        stage[0] = "reading the answer";
                        return response.body().map(answer -> new Answer(response, answer));
                    });
                })
                .timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(e instanceof java.util.concurrent.TimeoutException
                        ? new java.util.concurrent.TimeoutException("no answer within " + REQUEST_TIMEOUT.toSeconds() + " s, " + stage[0]) : e))
                .transform(result -> {
                    long answeredAt = System.nanoTime();
                    long latencyMicros = TimeUnit.NANOSECONDS.toMicros(answeredAt - due);
                    if (result.succeeded() && result.result().response().statusCode() / 100 == 2
                            && answeredAt >= measureStartNanos && answeredAt < measureEndNanos) {
                        answeredInMeasure.increment();
                    }
                    if (measured) record(result, latencyMicros);
                    answered.countDown();
                    return Future.<Void>succeededFuture();
                });
    }

    private void record(AsyncResult<Answer> result, long latencyMicros) {
        Answer answer = result.result();
        String outcome = result.failed() ? "error: " + describe(result.cause()) : Integer.toString(answer.response().statusCode());
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        if (result.succeeded() && answer.response().statusCode() / 100 == 2) {
            window.recordValue(Math.min(latencyMicros, MAX_LATENCY_MICROS));
        } else if (outcomes.get(outcome).sum() == 1) {
            log.println("ingest bench: first '" + outcome + "' answer: " + (result.failed() ? result.cause() : answer.body()));
        }
    }

    private record Answer(HttpClientResponse response, Buffer body) {
    }

    private static String describe(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e instanceof java.util.concurrent.TimeoutException ? e.getMessage() : e.getClass().getSimpleName();
    }

    static double micros(long micros) {
        return micros / 1000.0;
    }

    /** The coordinator's resident set, from /proc/PID/status, once a second on its own thread. */
    private final class RssSampler {
        private final Path status;
        private final Path stat;
        private volatile double cpuSecondsAtMeasureStart = -1;
        private volatile double cpuSecondsLast;
        private final Thread thread;
        private volatile long lastKb;
        private volatile long maxKb;
        private volatile long maxMeasuredKb;

        RssSampler(long pid) {
            this.status = Path.of("/proc", Long.toString(pid), "status");
            this.stat = Path.of("/proc", Long.toString(pid), "stat");
            this.thread = Thread.ofPlatform().daemon().name("rss-sampler").unstarted(this::loop);
        }

        void start() {
            lastKb = read();
            thread.start();
        }

        private void loop() {
            while (!Thread.currentThread().isInterrupted()) {
                long kb;
                try {
                    kb = read();
                } catch (IllegalStateException e) {
                    log.println("ingest bench: " + e.getMessage());
                    return;
                }
                lastKb = kb;
                maxKb = Math.max(maxKb, kb);
                if (System.nanoTime() >= measureStartNanos) {
                    maxMeasuredKb = Math.max(maxMeasuredKb, kb);
                    cpuSecondsLast = cpuSeconds();
                    if (cpuSecondsAtMeasureStart < 0) cpuSecondsAtMeasureStart = cpuSecondsLast;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long read() {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
                }
                throw new IllegalStateException(status + " has no VmRSS line");
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the coordinator's RSS from " + status
                        + " (has process " + status.getParent().getFileName() + " exited?): " + e.getMessage(), e);
            }
        }

        /** utime + stime of the process, fields 14 and 15 of /proc/PID/stat, in clock ticks of 1/100 s (Linux's USER_HZ). */
        private double cpuSeconds() {
            try {
                String line = Files.readString(stat);
                String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the coordinator's CPU time from " + stat + ": " + e.getMessage(), e);
            }
        }

        /** The coordinator's CPU time over the measured phase (from its first to its last sample there). */
        double measuredCpuSeconds() {
            return cpuSecondsAtMeasureStart < 0 ? 0 : cpuSecondsLast - cpuSecondsAtMeasureStart;
        }

        double lastMb() {
            return lastKb / 1024.0;
        }

        double maxMb(boolean measuredOnly) {
            return (measuredOnly ? maxMeasuredKb : maxKb) / 1024.0;
        }

        void stop() {
            thread.interrupt();
        }
    }
}
