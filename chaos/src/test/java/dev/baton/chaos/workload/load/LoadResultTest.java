package dev.baton.chaos.workload.load;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LoadResultTest {

    @Test
    void countsAndGroupsFailureReasons() {
        List<AcknowledgedOrder> orders = List.of(new AcknowledgedOrder("a", "s0", 1, "east"),
                new AcknowledgedOrder("b", "s1", 2, "east"), new AcknowledgedOrder("c", "s0", 3, "west"));
        List<FailedCheckout> failures = List.of(new FailedCheckout("d", 100, "http 503", "budget"),
                new FailedCheckout("e", 200, "timeout", "5 s"), new FailedCheckout("f", 300, "http 503", "budget"));
        LoadResult r = LoadResult.of(7, LatencySummary.EMPTY, orders, failures);

        assertThat(r.attempted()).isEqualTo(7);
        assertThat(r.acknowledged()).isEqualTo(3);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.inFlight()).isEqualTo(1);
        assertThat(r.failureReasons()).isEqualTo(Map.of("http 503", 2L, "timeout", 1L));
        assertThat(r.failedBetween(150, 300)).isEqualTo(2);
        assertThat(r.ordersByShard().get("s0")).extracting(AcknowledgedOrder::idempotencyKey).containsExactly("a", "c");
    }

    @Test
    void latencyIsReportedInMilliseconds() {
        Histogram micros = new Histogram(3);
        for (int i = 1; i <= 100; i++) micros.recordValue(i * 1_000L); // 1..100 ms
        micros.recordValue(2_500_000); // one 2.5 s outlier
        LatencySummary s = LatencySummary.ofMicros(micros);
        assertThat(s.p50Ms()).isCloseTo(51.0, within(0.1));
        assertThat(s.p99Ms()).isCloseTo(100.0, within(0.1));
        assertThat(s.maxMs()).isCloseTo(2500.0, within(2.0));
        assertThat(LatencySummary.ofMicros(new Histogram(3))).isEqualTo(LatencySummary.EMPTY);
    }
}
