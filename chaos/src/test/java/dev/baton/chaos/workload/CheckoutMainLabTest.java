package dev.baton.chaos.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.audit.OrderAudit;
import dev.baton.chaos.workload.load.LoadGenerator;
import dev.baton.chaos.workload.load.LoadOptions;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.wire.Datacenter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkout apps as the lab runs them: one {@link CheckoutMain} child process per DC. */
class CheckoutMainLabTest {

    @Test
    void theLabsCheckoutAppsTakeOrders(@TempDir Path dir) throws Exception {
        LabSpec defaults = LabSpec.defaults(dir);
        try (Lab lab = Lab.up(new LabSpec(dir, defaults.dcs(), defaults.shards(), 0, true));
             HttpClient http = HttpClient.newHttpClient()) {
            ObjectMapper json = new ObjectMapper();
            for (Datacenter dc : lab.topology().datacenters()) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://" + dc.checkoutApp() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                JsonNode body = json.readTree(health.body());
                assertThat(body.path("dc").asText()).isEqualTo(dc.name());
                assertThat(body.path("status").asText()).isEqualTo("ok");
            }

            LoadResult load;
            try (LoadGenerator generator = new LoadGenerator(lab.topology(), LoadOptions.defaults().withRate(50))) {
                load = generator.run(Duration.ofSeconds(1));
            }
            assertThat(load.failureReasons()).isEmpty();
            assertThat(load.acknowledged()).isEqualTo(load.attempted()).isPositive();
            assertThat(new OrderAudit(lab.topology(), Duration.ofSeconds(10)).check(load.orders()).clean()).isTrue();

            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(
                    "http://" + lab.topology().datacenters().getFirst().checkoutApp() + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(json.readTree(stats.body()).path("acknowledged").asLong()).isEqualTo(load.acknowledged());
        }
    }
}
