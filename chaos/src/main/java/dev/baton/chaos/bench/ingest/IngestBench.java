package dev.baton.chaos.bench.ingest;

import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
     * @param connections at most this many reports in flight, hence at most this many keep-alive connections
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

    private final URI reportsUrl;
    private final SyntheticReports reports;
    private final List<Agent> agents;
    private final long coordinatorPid;
    private final Options options;
    private final PrintStream log;

    private final Recorder window = new Recorder(MAX_LATENCY_MICROS, 3);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final AtomicLong maxDispatchLagMicros = new AtomicLong();
    private volatile long measureStartNanos = Long.MAX_VALUE;

    /** @param coordinatorUrl e.g. {@code http://127.0.1.1:40000} */
    public IngestBench(String coordinatorUrl, Topology topology, List<Agent> agents, long coordinatorPid, Options options,
                       PrintStream log) {
        if (agents.isEmpty()) throw new IllegalArgumentException("the ingest bench needs at least one agent");
        this.reportsUrl = URI.create(coordinatorUrl + HealthReport.PATH);
        this.reports = new SyntheticReports(topology);
        this.agents = List.copyOf(agents);
        this.coordinatorPid = coordinatorPid;
        this.options = options;
        this.log = log;
    }

    public IngestReport run() throws InterruptedException {
        Instant startedAt = Instant.now();
        ExecutorService responses = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(responses)
                .connectTimeout(Duration.ofSeconds(2)).build();
        RssSampler rss = new RssSampler(coordinatorPid);
        rss.start();
        try {
            long period = TimeUnit.SECONDS.toNanos(1) / options.ratePerSecond();
            long total = options.ratePerSecond() * (options.warmup().toSeconds() + options.measure().toSeconds());
            long warmupReports = options.ratePerSecond() * options.warmup().toSeconds();
            long[] sequences = new long[agents.size()];
            Semaphore inFlight = new Semaphore(options.connections());
            long start = System.nanoTime();
            measureStartNanos = start + warmupReports * period;
            log.printf("ingest bench: %d agents, %d reports/s, %d s warm-up then %d s measured, at most %d connections%n",
                    agents.size(), options.ratePerSecond(), options.warmup().toSeconds(), options.measure().toSeconds(),
                    options.connections());
            List<IngestReport.Window> windows = new ArrayList<>();
            Histogram overall = new Histogram(MAX_LATENCY_MICROS, 3);
            Histogram interval = null;
            long nextWindow = measureStartNanos + TimeUnit.SECONDS.toNanos(1);
            for (long i = 0; i < total; i++) {
                long due = start + i * period;
                long now;
                while ((now = System.nanoTime()) < due) LockSupport.parkNanos(due - now);
                if (now >= nextWindow) {
                    interval = window.getIntervalHistogram(interval);
                    windows.add(closeWindow(windows.size() + 1, interval, overall, rss));
                    nextWindow += TimeUnit.SECONDS.toNanos(1);
                }
                inFlight.acquire();
                if (due >= measureStartNanos) {
                    maxDispatchLagMicros.accumulateAndGet(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due), Math::max);
                }
                int a = (int) (i % agents.size());
                Agent agent = agents.get(a);
                send(client, agent, ++sequences[a], due, inFlight);
            }
            long sendEnd = System.nanoTime();
            // Every report answered (or timed out) before the last window closes.
            if (!inFlight.tryAcquire(options.connections(), REQUEST_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS)) {
                log.println("ingest bench: some reports still unanswered after " + REQUEST_TIMEOUT);
            }
            interval = window.getIntervalHistogram(interval);
            if (interval.getTotalCount() > 0) windows.add(closeWindow(windows.size() + 1, interval, overall, rss));
            double measuredSeconds = (sendEnd - measureStartNanos) / 1e9;
            return IngestReport.of(new IngestReport.Config(agents.size(), options.ratePerSecond(), options.measure().toSeconds(),
                            options.warmup().toSeconds(), options.connections(), Runtime.getRuntime().availableProcessors(),
                            startedAt.toString()),
                    sent.sum(), measuredSeconds, new TreeMap<>(Map.copyOf(outcomes.entrySet().stream()
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())))),
                    overall, windows, maxDispatchLagMicros.get() / 1000.0, rss.maxMb(true), rss.maxMb(false));
        } finally {
            rss.stop();
            client.shutdownNow();
            responses.shutdownNow();
        }
    }

    private IngestReport.Window closeWindow(int second, Histogram interval, Histogram overall, RssSampler rss) {
        overall.add(interval);
        return new IngestReport.Window(second, interval.getTotalCount(), micros(interval.getValueAtPercentile(99)),
                micros(interval.getMaxValue()), rss.lastMb());
    }

    private void send(HttpClient client, Agent agent, long sequence, long due, Semaphore inFlight) {
        String body = reports.report(agent.id(), agent.dc(), sequence, Instant.now()).toJson();
        HttpRequest request = HttpRequest.newBuilder(reportsUrl).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + agent.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        boolean measured = due >= measureStartNanos;
        if (measured) sent.increment();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            long latencyMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due);
            inFlight.release();
            if (!measured) return;
            String outcome = error != null ? "error: " + rootCause(error) : Integer.toString(response.statusCode());
            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
            if (error == null && response.statusCode() / 100 == 2) window.recordValue(Math.min(latencyMicros, MAX_LATENCY_MICROS));
            else if (outcomes.get(outcome).sum() == 1) {
                log.println("ingest bench: first '" + outcome + "' answer: " + (response == null ? error : response.body()));
            }
        });
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getClass().getSimpleName();
    }

    static double micros(long micros) {
        return micros / 1000.0;
    }

    /** The coordinator's resident set, from /proc/PID/status, once a second on its own thread. */
    private final class RssSampler {
        private final Path status;
        private final Thread thread;
        private volatile long lastKb;
        private volatile long maxKb;
        private volatile long maxMeasuredKb;

        RssSampler(long pid) {
            this.status = Path.of("/proc", Long.toString(pid), "status");
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
                if (System.nanoTime() >= measureStartNanos) maxMeasuredKb = Math.max(maxMeasuredKb, kb);
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
