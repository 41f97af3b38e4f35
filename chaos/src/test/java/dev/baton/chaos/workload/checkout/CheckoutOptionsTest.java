package dev.baton.chaos.workload.checkout;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckoutOptionsTest {

    @Test
    void backoffDoublesFromFiveToTwentyMilliseconds() {
        CheckoutOptions o = CheckoutOptions.defaults();
        assertThat(o.retryBudget()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.backoffAfter(1)).isEqualTo(Duration.ofMillis(5));
        assertThat(o.backoffAfter(2)).isEqualTo(Duration.ofMillis(10));
        assertThat(o.backoffAfter(3)).isEqualTo(Duration.ofMillis(20));
        assertThat(o.backoffAfter(4)).isEqualTo(Duration.ofMillis(20));
        assertThat(o.backoffAfter(1_000)).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> CheckoutOptions.defaults().backoffAfter(0)).hasMessageContaining("1-based");
        assertThatThrownBy(() -> new CheckoutOptions(Duration.ofSeconds(1), Duration.ofMillis(30), Duration.ofMillis(20),
                Duration.ofSeconds(3), Duration.ofSeconds(3), 1, 8, Duration.ofSeconds(1))).hasMessageContaining("backoff");
        assertThatThrownBy(() -> new CheckoutOptions(Duration.ofSeconds(1), Duration.ofMillis(5), Duration.ofMillis(20),
                Duration.ofSeconds(3), Duration.ofSeconds(3), -1, 8, Duration.ofSeconds(1))).hasMessageContaining("maxIdlePerWriter");
        assertThatThrownBy(() -> CheckoutOptions.defaults().withBulkhead(0, Duration.ofSeconds(1)))
                .hasMessageContaining("writesPerShard");
        assertThatThrownBy(() -> CheckoutOptions.defaults().withBulkhead(8, Duration.ofMillis(-1)))
                .hasMessageContaining("waitForShard");
    }

    @Test
    void theBulkheadLetsEightWritesPerShardAndAWaitAsLongAsALeadersDeathHoldsWrites() {
        CheckoutOptions o = CheckoutOptions.defaults();
        assertThat(o.writesPerShard()).isEqualTo(8);
        assertThat(o.waitForShard()).isEqualTo(Duration.ofSeconds(4));
        // No more idle connections than can ever be busy at once.
        assertThat(o.maxIdlePerWriter()).isEqualTo(o.writesPerShard());
        CheckoutOptions narrow = o.withBulkhead(2, Duration.ofMillis(100));
        assertThat(narrow.writesPerShard()).isEqualTo(2);
        assertThat(narrow.waitForShard()).isEqualTo(Duration.ofMillis(100));
        assertThat(narrow.retryBudget()).isEqualTo(o.retryBudget());
    }
}
