package dev.baton.chaos.bench;

import dev.baton.chaos.workload.load.WarmUp;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** What a report says of a warm-up: how long, and whether latency became steady. */
class WarmUpsTest {
    @Test
    void aSteadyWarmUpSaysAfterHowLongAndAtWhatLevel() {
        WarmUp steady = new WarmUp(true, 4.04, 12.34, Arrays.asList(80.0, 30.0, 13.0, 12.34, 14.0));
        assertThat(WarmUps.describe(steady, Duration.ofMillis(2500)))
                .isEqualTo("2.5 s of ramp-up, then steady after 4.0 s (each second's p99 back at 12.3 ms)");
    }

    @Test
    void aWarmUpThatNeverSettledSaysSoAndWhy() {
        WarmUp slow = new WarmUp(false, 30.0, 250.0, Arrays.asList(900.0, 250.0, 700.0));
        assertThat(WarmUps.describe(slow, Duration.ZERO)).isEqualTo("NOT steady within 30 s (lowest one-second p99 250.0 ms): measured anyway");
        WarmUp nothing = new WarmUp(false, 1.0, 0, Arrays.asList((Double) null));
        assertThat(WarmUps.describe(nothing, Duration.ZERO)).isEqualTo("NOT steady within 1 s (no second in which a checkout completed): "
                + "measured anyway");
    }
}
