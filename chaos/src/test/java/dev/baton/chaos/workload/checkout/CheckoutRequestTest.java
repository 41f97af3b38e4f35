package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckoutRequestTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void parsesAValidCheckout() throws Exception {
        CheckoutRequest r = CheckoutRequest.parse(json, """
                {"shopId": 42, "items": [{"sku":"A1","qty":2,"priceCents":1299}, {"sku":"B","qty":1,"priceCents":1}],
                 "idempotencyKey": "k-1"}""");
        assertThat(r.shopId()).isEqualTo(42);
        assertThat(r.items()).containsExactly(new CheckoutRequest.Item("A1", 2, 1299), new CheckoutRequest.Item("B", 1, 1));
        assertThat(r.totalCents()).isEqualTo(2599);
        assertThat(r.idempotencyKey()).isEqualTo("k-1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{not json                                                                      | body",
            "[1,2]                                                                          | body",
            "{\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"k\"}   | shopId",
            "{\"shopId\":\"x\",\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"k\"} | shopId",
            "{\"shopId\":0,\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"k\"} | shopId",
            "{\"shopId\":1,\"items\":[],\"idempotencyKey\":\"k\"}                                | items",
            "{\"shopId\":1,\"idempotencyKey\":\"k\"}                                             | items",
            "{\"shopId\":1,\"items\":[{\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"k\"}     | items[0].sku",
            "{\"shopId\":1,\"items\":[{\"sku\":\"A\",\"qty\":0,\"priceCents\":1}],\"idempotencyKey\":\"k\"} | items[0].qty",
            "{\"shopId\":1,\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1},{\"sku\":\"B\",\"qty\":1,\"priceCents\":-5}],\"idempotencyKey\":\"k\"} | items[1].priceCents",
            "{\"shopId\":1,\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}]}                | idempotencyKey",
            "{\"shopId\":1,\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"\"} | idempotencyKey",
    })
    void namesTheBadField(String body, String field) {
        assertThatThrownBy(() -> CheckoutRequest.parse(json, body))
                .isInstanceOfSatisfying(CheckoutRequest.InvalidCheckout.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ":");
    }

    @Test
    void refusesKeysLongerThanTheColumn() {
        String key = "k".repeat(65);
        assertThatThrownBy(() -> CheckoutRequest.parse(json,
                "{\"shopId\":1,\"items\":[{\"sku\":\"A\",\"qty\":1,\"priceCents\":1}],\"idempotencyKey\":\"" + key + "\"}"))
                .hasMessageContaining("idempotencyKey: longer than 64");
    }
}
