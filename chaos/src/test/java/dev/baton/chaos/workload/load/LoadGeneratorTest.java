package dev.baton.chaos.workload.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.workload.checkout.CheckoutRequest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

class LoadGeneratorTest {

    @RepeatedTest(20)
    void theHandWrittenBodyIsACheckoutTheAppAccepts() throws Exception {
        String key = UUID.randomUUID().toString();
        CheckoutRequest request = CheckoutRequest.parse(new ObjectMapper(), LoadGenerator.body(key, 1000, ThreadLocalRandom.current()));

        assertThat(request.idempotencyKey()).isEqualTo(key);
        assertThat(request.shopId()).isBetween(1L, 1000L);
        assertThat(request.items()).hasSizeBetween(1, 3).allSatisfy(item -> {
            assertThat(item.sku()).matches("SKU-\\d+");
            assertThat(item.qty()).isBetween(1, 3);
            assertThat(item.priceCents()).isBetween(100L, 9_999L);
        });
    }

    @Test
    void thePoolHoldsEveryCheckoutOneTimeoutCanKeepInFlight() {
        LoadOptions options = LoadOptions.defaults().withRate(200);
        assertThat(LoadGenerator.connectionsPerEntry(options)).isEqualTo(200 * 9);
        assertThat(LoadGenerator.connectionsPerEntry(options.withRate(1))).isEqualTo(64);
        assertThat(LoadGenerator.connectionsPerEntry(new LoadOptions(10_000, 10, Duration.ofSeconds(8), Duration.ZERO))).isEqualTo(4_096);
    }
}
