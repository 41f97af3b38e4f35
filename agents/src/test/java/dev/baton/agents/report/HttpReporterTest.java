package dev.baton.agents.report;

import dev.baton.wire.health.HealthReport;
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

    @Test
    void postsWithTheTokenAndIncreasingSequences() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), TOKEN, Backoff.defaults(), Duration.ofSeconds(2))) {
            for (long seq = 1; seq <= 5; seq++) {
                reporter.submit(report(seq));
                Thread.sleep(50);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> coordinator.sequences().contains(5L));
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
                Duration.ofSeconds(1))) {
            long seq = 0;
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                reporter.submit(report(++seq));
                Thread.sleep(50);
            }
            HttpReporter.Delivery down = reporter.deliveries().getFirst();
            // ~60 reports offered; without backoff every one would have been an attempt.
            assertThat(down.failed()).as(down.toString()).isBetween(3L, 12L);
            assertThat(down.consecutiveFailures()).isGreaterThanOrEqualTo(3);
            assertThat(down.lastBackoff()).isBetween(Duration.ofMillis(200), Duration.ofMillis(800));
            assertThat(down.lastError()).contains("127.0.0.1:" + port);

            try (FakeCoordinator back = new FakeCoordinator(port, Duration.ZERO)) {
                long lastOffered = seq;
                long returned = System.nanoTime();
                while (back.received.isEmpty() && System.nanoTime() - returned < Duration.ofSeconds(3).toNanos()) {
                    reporter.submit(report(++seq));
                    Thread.sleep(50);
                }
                assertThat(back.received).as("delivered within the max backoff after the coordinator came back").isNotEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - returned)).isLessThan(Duration.ofMillis(1500));
                // It sends the newest report, not the backlog.
                assertThat(back.sequences().getFirst()).isGreaterThanOrEqualTo(lastOffered);
                // The server records a report before it answers; the agent counts the success once the answer is in.
                await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThat(reporter.deliveries().getFirst().consecutiveFailures()).isZero());
            }
        }
    }

    @Test
    void aSlowCoordinatorDoesNotDelayTheOthers() throws Exception {
        try (FakeCoordinator slow = new FakeCoordinator(0, Duration.ofSeconds(3));
             FakeCoordinator fast = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(slow.url(), fast.url()), TOKEN, Backoff.defaults(),
                     Duration.ofMillis(500))) {
            for (long seq = 1; seq <= 15; seq++) {
                reporter.submit(report(seq));
                Thread.sleep(100);
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> fast.sequences().contains(15L));
            assertThat(fast.received).hasSizeGreaterThanOrEqualTo(12);
            // The slow server still handles a request after the agent gave up on it (3 s later), so what
            // counts is what the agent saw: no report delivered to it in time, its timeouts counted.
            HttpReporter.Delivery toSlow = reporter.deliveries().getFirst();
            assertThat(toSlow.delivered()).as(toSlow.toString()).isZero();
            assertThat(toSlow.failed()).as(toSlow.toString()).isPositive();
        }
    }

    @Test
    void aRefusedTokenIsCountedAsRejectedNotRetried() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(0, Duration.ZERO);
             HttpReporter reporter = new HttpReporter(List.of(coordinator.url()), "wrong", Backoff.defaults(), Duration.ofSeconds(1))) {
            reporter.submit(report(1));
            await().atMost(Duration.ofSeconds(3)).until(() -> reporter.deliveries().getFirst().rejected() == 1);
            HttpReporter.Delivery delivery = reporter.deliveries().getFirst();
            assertThat(delivery.failed()).isZero();
            assertThat(delivery.lastError()).contains("401");
            assertThat(coordinator.received).isEmpty();
        }
    }

    private static HealthReport report(long sequence) {
        return new HealthReport("agent-test", "east", sequence, Instant.now(), List.of());
    }
}
