package dev.baton.agents.report;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

    @Test
    void doublesWithinHalfToFullOfItsCeilingUntilTheMax() {
        Random random = new Random(7);
        long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int n = 1; n <= ceilings.length; n++) {
            for (int i = 0; i < 200; i++) {
                assertThat(backoff.delay(n, random).toMillis()).as("failure %d", n)
                        .isBetween(ceilings[n - 1] / 2, ceilings[n - 1]);
            }
        }
        assertThat(backoff.delay(10_000, random)).isLessThanOrEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void isJittered() {
        Random random = new Random(11);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) seen.add(backoff.delay(4, random).toMillis());
        assertThat(seen).hasSizeGreaterThan(20);
    }
}
