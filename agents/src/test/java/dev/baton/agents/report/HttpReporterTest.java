package dev.baton.agents.report;

import dev.baton.wire.Endpoint;
import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The reporter against small real HTTP servers standing in for coordinators. */
class HttpReporterTest {
    private static final String TOKEN = FakeCoordinator.TOKEN;
    /** These tests offer reports of one state many times a second and are about delivery: every one is sent. */
    private static final Duration EVERY = Duration.ZERO;

    @Test
    void postsWithTheTokenAndIncreasingSequences() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), TOKEN, Backoff.defaults(), Duration.ofSeconds(2), EVERY)) {
            for (long seq = 1; seq <= 5; seq++) {
                reporter.submit(report(seq));
                Thread.sleep(50);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> coordinator.sequences().contains(5L));
            assertThat(coordinator.received).allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN));
            assertThat(coordinator.sequences()).isSorted().doesNotHaveDuplicates();
            assertThat(reporter.deliveries().getFirst().failed()).isZero();
        }
    }

    @Test
    void backsOffWhileTheCoordinatorIsDownAndCatchesUpWhenItReturns() throws Exception {
        FakeCoordinator gone = new FakeCoordinator(0, Duration.ZERO);
        int port = gone.port();
        gone.close();
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(800));
        try (HttpReporter reporter = new HttpReporter(List.of(URI.create("http://127.0.0.1:" + port)), TOKEN, backoff,
                Duration.ofSeconds(1), EVERY)) {
            long seq = 0;
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                reporter.submit(report(++seq));
                Thread.sleep(50);
            }
            // At most 60 reports offered. With backoff, the waits alone (at least 50 + 100 + 200 ms, then 400 ms each)
            // leave room for no more than 10 attempts in 3 s, however slow the machine: a slower one makes fewer.
            HttpReporter.Delivery down = reporter.deliveries().getFirst();
            assertThat(down.failed()).as(down.toString()).isLessThanOrEqualTo(10L);
            // It goes on retrying the newest report on its own, each wait longer, up to the max.
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.deliveries().getFirst().consecutiveFailures() >= 4);
            down = reporter.deliveries().getFirst();
            assertThat(down.lastBackoff()).as(down.toString()).isBetween(Duration.ofMillis(200), Duration.ofMillis(800));
            assertThat(down.lastError()).contains("127.0.0.1:" + port);

            try (FakeCoordinator back = new FakeCoordinator(port, Duration.ZERO)) {
                long lastOffered = seq;
                long returned = System.nanoTime();
                while (back.received.isEmpty() && System.nanoTime() - returned < Duration.ofSeconds(30).toNanos()) {
                    reporter.submit(report(++seq));
                    Thread.sleep(50);
                }
                assertThat(back.received).as("delivered after the coordinator came back").isNotEmpty();
                // Within the max backoff (800 ms) plus a request; 6 s leaves room for a loaded machine.
                assertThat(Duration.ofNanos(System.nanoTime() - returned)).isLessThan(Duration.ofSeconds(6));
                // It sends the newest report, not the backlog.
                assertThat(back.sequences().getFirst()).isGreaterThanOrEqualTo(lastOffered);
                // The server records a report before it answers; the agent counts the success once the answer is in.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(reporter.deliveries().getFirst().consecutiveFailures()).isZero());
            }
        }
    }

    @Test
    void aSlowCoordinatorDoesNotDelayTheOthers() throws Exception {
        // The slow one never answers in time (30 s against a 2 s timeout): were the coordinators served one after
        // the other, the fast one would get a report every 2 s at best, 1 or 2 of the 15 offered below.
        try (FakeCoordinator slow = new FakeCoordinator(0, Duration.ofSeconds(30));
             FakeCoordinator fast = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(slow.url(), fast.url()), TOKEN, Backoff.defaults(),
                     Duration.ofSeconds(2), EVERY)) {
            // The first request pays for the HTTP client's class loading: out of the count below.
            reporter.submit(report(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> fast.sequences().contains(1L));
            for (long seq = 2; seq <= 16; seq++) {
                reporter.submit(report(seq));
                Thread.sleep(100);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> fast.sequences().contains(16L));
            // Only the newest report is kept: one that takes longer than 100 ms makes the fast one skip some.
            assertThat(fast.sequences().stream().filter(s -> s >= 2).count()).as(fast.sequences().toString()).isGreaterThanOrEqualTo(8);
            // The slow server still handles a request after the agent gave up on it, so what counts is what the
            // agent saw: no report delivered to it, its timeouts counted.
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.deliveries().getFirst().failed() > 0);
            HttpReporter.Delivery toSlow = reporter.deliveries().getFirst();
            assertThat(toSlow.delivered()).as(toSlow.toString()).isZero();
        }
    }

    @Test
    void aRefusedTokenIsCountedAsRejectedNotRetried() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), "wrong", Backoff.defaults(), Duration.ofSeconds(1))) {
            reporter.submit(report(1));
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.deliveries().getFirst().rejected() == 1);
            HttpReporter.Delivery delivery = reporter.deliveries().getFirst();
            assertThat(delivery.failed()).isZero();
            assertThat(delivery.lastError()).contains("401");
            assertThat(coordinator.received).isEmpty();
        }
    }

    @Test
    void anUnchangedReportWaitsForTheHeartbeatAndAChangeGoesAtOnce() throws Exception {
        Duration heartbeat = Duration.ofMillis(1500);
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), TOKEN, Backoff.defaults(), Duration.ofSeconds(2),
                     heartbeat)) {
            reporter.submit(report(1, probes(3, true, 1)));
            // Delivered as the agent counts it (the answer read), not only as the server recorded it.
            await().atMost(Duration.ofSeconds(30)).until(() -> reporter.deliveries().getFirst().delivered() == 1);
            long firstSent = System.nanoTime();
            // Only latencies and the reachability target differ: the same state, not sent before the heartbeat.
            long seq = 1;
            while (System.nanoTime() - firstSent < heartbeat.toNanos() - Duration.ofMillis(300).toNanos()) {
                reporter.submit(report(++seq, probes(7 + (int) seq, true, (int) seq)));
                Thread.sleep(100);
            }
            Thread.sleep(200); // anything wrongly sent would be in by now
            assertThat(coordinator.sequences()).as("unchanged state before the heartbeat").containsExactly(1L);
            assertThat(reporter.unchangedSkipped()).isEqualTo(seq - 1);
            // A change of state: sent at once, long before the heartbeat.
            long changed = ++seq;
            reporter.submit(report(changed, probes(3, false, 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.sequences().contains(changed));
            // The same state again once the heartbeat is due: sent.
            Thread.sleep(heartbeat.toMillis());
            long heartbeatReport = ++seq;
            reporter.submit(report(heartbeatReport, probes(5, false, 1)));
            await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.sequences().contains(heartbeatReport));
        }
    }

    @Test
    void aReportIsResentUntilDeliveredEvenWhenUnchanged() throws Exception {
        FakeCoordinator gone = new FakeCoordinator(0, Duration.ZERO);
        int port = gone.port();
        gone.close();
        try (HttpReporter reporter = new HttpReporter(List.of(URI.create("http://127.0.0.1:" + port)), TOKEN,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(100)), Duration.ofSeconds(1), Duration.ofSeconds(60))) {
            reporter.submit(report(1, probes(1, true, 1)));
            try (FakeCoordinator back = new FakeCoordinator(port, Duration.ZERO)) {
                // Never delivered, so never "what the coordinator has": the next round's report goes although unchanged.
                reporter.submit(report(2, probes(1, true, 1)));
                await().atMost(Duration.ofSeconds(30)).until(() -> !back.received.isEmpty());
                assertThat(reporter.unchangedSkipped()).isZero();
            }
        }
    }

    private static List<Probe> probes(long latencyMs, boolean writable, int turn) {
        Endpoint db = new Endpoint("127.0.0.1", 3306);
        return List.of(
                new MariaDbProbe("s1-east", db, true, !writable, false, false, false, null, "0-1-5", "0-1-5", latencyMs, null),
                new ReachabilityProbe("east", "west", "mariadb s" + turn + "-west", new Endpoint("127.0.0.2", 3300 + turn), true,
                        latencyMs, null));
    }

    private static HealthReport report(long sequence, List<Probe> probes) {
        return new HealthReport("agent-test", "east", sequence, Instant.now(), probes);
    }

    private static HealthReport report(long sequence) {
        return new HealthReport("agent-test", "east", sequence, Instant.now(), List.of());
    }
}
