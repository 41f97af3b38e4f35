package dev.baton.agents.report;

import dev.baton.agents.ReportSink;
import dev.baton.agents.http.Clients;
import dev.baton.wire.health.HealthReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Posts reports to every coordinator ({@code POST <url>/api/v1/agents/reports}, bearer token).
 * Each coordinator has its own sender on its own virtual thread holding only the newest report:
 * a slow or dead coordinator gets fewer, fresher reports and never delays the others. After a
 * failure a sender waits a {@link Backoff} before it tries again with the newest report.
 * <p>
 * A report whose {@link ReportState state} is what the coordinator last received is sent only once
 * {@code unchangedEvery} has passed since that one: a change goes out in its own round, and an idle
 * DC's agent posts half as often (the posts were a third of an idle agent's CPU). With the
 * coordinators' default (an agent is silent after 3 s without a report) a 2 s heartbeat leaves a
 * second for a late one, and a dead agent is silent as soon as before: 3 s after its last report.
 */
public final class HttpReporter implements ReportSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpReporter.class);

    /** The default for {@code unchangedEvery}: see the class comment. */
    public static final Duration UNCHANGED_EVERY = Duration.ofSeconds(2);

    private final List<Sender> senders;
    private final long unchangedEveryNanos;
    private final AtomicLong unchangedSkipped = new AtomicLong();

    /** What one coordinator has received and refused so far. */
    public record Delivery(URI coordinator, long delivered, long failed, long rejected, int consecutiveFailures,
                           Duration lastBackoff, String lastError) {
    }

    public HttpReporter(List<URI> coordinators, String token, Backoff backoff, Duration timeout) {
        this(coordinators, token, backoff, timeout, UNCHANGED_EVERY);
    }

    /** {@code unchangedEvery} zero sends every report. */
    public HttpReporter(List<URI> coordinators, String token, Backoff backoff, Duration timeout, Duration unchangedEvery) {
        if (unchangedEvery.isNegative()) throw new IllegalArgumentException("unchangedEvery must not be negative: " + unchangedEvery);
        this.unchangedEveryNanos = unchangedEvery.toNanos();
        if (coordinators.isEmpty()) throw new IllegalArgumentException("an agent needs at least one coordinator URL");
        if (token == null || token.isBlank()) throw new IllegalArgumentException("an agent needs a token for its coordinators");
        this.senders = coordinators.stream().map(url -> new Sender(url, token, backoff, timeout)).toList();
        senders.forEach(s -> Thread.ofVirtual().name("report-" + s.coordinator).start(s::loop));
    }

    @Override
    public void submit(HealthReport report) {
        long now = System.nanoTime();
        ReportState state = ReportState.of(report);
        List<Sender> due = senders.stream().filter(s -> s.due(state, now, unchangedEveryNanos)).toList();
        if (due.size() < senders.size()) unchangedSkipped.addAndGet(senders.size() - due.size());
        if (due.isEmpty()) return;
        Outgoing outgoing = new Outgoing(report, report.toJson(), state, now); // once, whatever the number of coordinators
        due.forEach(s -> s.offer(outgoing));
    }

    /** A report, its JSON, its state and when it was submitted. */
    private record Outgoing(HealthReport report, String json, ReportState state, long submittedAt) {
    }

    /** Reports not sent to a coordinator because it already had their state (one per coordinator and report). */
    public long unchangedSkipped() {
        return unchangedSkipped.get();
    }

    public List<Delivery> deliveries() {
        return senders.stream().map(Sender::delivery).toList();
    }

    @Override
    public void close() {
        senders.forEach(Sender::close);
    }

    private static final class Sender {
        private final URI coordinator;
        private final URL reports;
        private final Map<String, String> headers;
        private final Duration timeout;
        private final Backoff backoff;
        private final AtomicReference<Outgoing> newest = new AtomicReference<>();
        private final Semaphore wake = new Semaphore(0);
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicLong rejected = new AtomicLong();
        private volatile int consecutiveFailures;
        private volatile Duration lastBackoff = Duration.ZERO;
        private volatile String lastError;
        private volatile boolean closed;
        private volatile Thread thread;
        /** The state this coordinator last received, and when that report was submitted. */
        private volatile ReportState deliveredState;
        private volatile long deliveredSubmittedAt;

        Sender(URI coordinator, String token, Backoff backoff, Duration timeout) {
            this.coordinator = coordinator;
            Clients.url(coordinator); // refuses a bad URL now, not at the first report
            this.reports = Clients.url(URI.create(coordinator.getScheme() + "://" + coordinator.getRawAuthority()
                    + stripSlash(coordinator.getRawPath()) + HealthReport.PATH));
            this.headers = Map.of("Content-Type", "application/json", "Authorization", "Bearer " + token);
            this.timeout = timeout;
            this.backoff = backoff;
        }

        /** Whether this report must go: its state is new to this coordinator, or the last one it got is old enough. */
        boolean due(ReportState state, long now, long unchangedEveryNanos) {
            return !state.equals(deliveredState) || now - deliveredSubmittedAt >= unchangedEveryNanos;
        }

        void offer(Outgoing report) {
            newest.set(report);
            wake.release();
        }

        void loop() {
            thread = Thread.currentThread();
            while (!closed) {
                try {
                    wake.acquire();
                    wake.drainPermits();
                    Outgoing report = newest.getAndSet(null);
                    if (report == null) continue;
                    if (send(report)) {
                        consecutiveFailures = 0;
                        continue;
                    }
                    // Retry this report after the wait unless a newer one comes meanwhile.
                    newest.compareAndSet(null, report);
                    lastBackoff = backoff.delay(++consecutiveFailures, ThreadLocalRandom.current());
                    Thread.sleep(lastBackoff);
                    wake.release();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** True when delivered, or refused for good (a 4xx: retrying the same report would be refused again). */
        private boolean send(Outgoing outgoing) {
            HealthReport report = outgoing.report();
            try {
                Clients.Answer answer = Clients.post(reports, timeout, headers, outgoing.json());
                int code = answer.code();
                if (answer.ok()) {
                    delivered.incrementAndGet();
                    deliveredSubmittedAt = outgoing.submittedAt();
                    deliveredState = outgoing.state();
                    return true;
                }
                if (code >= 400 && code < 500) {
                    rejected.incrementAndGet();
                    lastError = coordinator + " refused report " + report.sequence() + ": " + code + " " + answer.body();
                    LOG.warn(lastError);
                    return true;
                }
                return failure(report, code + " " + answer.body());
            } catch (IOException | RuntimeException e) {
                return failure(report, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }

        private boolean failure(HealthReport report, String why) {
            failed.incrementAndGet();
            lastError = coordinator + " did not take report " + report.sequence() + ": " + why;
            if (consecutiveFailures == 0) LOG.warn("{}; backing off", lastError);
            return false;
        }

        Delivery delivery() {
            return new Delivery(coordinator, delivered.get(), failed.get(), rejected.get(), consecutiveFailures, lastBackoff,
                    lastError);
        }

        void close() {
            closed = true;
            Thread running = thread;
            if (running != null) running.interrupt();
        }

        private static String stripSlash(String path) {
            if (path == null) return "";
            return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        }
    }
}
