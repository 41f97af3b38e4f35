package dev.baton.orchestrator.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class FailureThrottleTest {
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void failuresBeyondTheFreeOnesDoubleTheWaitUpToTheCapAndASuccessOrQuietForgetsThem() {
        FailureThrottle t = new FailureThrottle(3, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(15));
        for (int i = 1; i <= 3; i++) {
            assertThat(t.failed("olga", T0)).isEqualTo(i);
            assertThat(t.wait("olga", T0)).isZero();
        }
        t.failed("olga", T0);
        assertThat(t.wait("olga", T0)).isEqualTo(Duration.ofSeconds(1));
        t.failed("olga", T0);
        assertThat(t.wait("olga", T0)).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) t.failed("olga", T0);
        assertThat(t.wait("olga", T0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.wait("olga", T0.plusSeconds(4))).isEqualTo(Duration.ofSeconds(6));
        assertThat(t.wait("vic", T0)).as("per key").isZero();

        assertThat(t.failed("olga", T0.plus(Duration.ofMinutes(16)))).as("15 quiet minutes forget").isEqualTo(1);
        t.succeeded("olga");
        assertThat(t.wait("olga", T0.plus(Duration.ofMinutes(16)))).isZero();
    }
}
