package dev.baton.chaos.workload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.workload.audit.AuditResult;
import dev.baton.chaos.workload.audit.DuplicatedOrder;
import dev.baton.chaos.workload.audit.LostOrder;
import dev.baton.chaos.workload.load.AcknowledgedOrder;
import dev.baton.chaos.workload.load.FailedCheckout;
import dev.baton.chaos.workload.load.LatencySummary;
import dev.baton.chaos.workload.load.LoadResult;
import dev.baton.chaos.workload.probe.ProbeAttempt;
import dev.baton.chaos.workload.probe.ProbeResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark writes these records into report.json: their JSON is their components, nothing more. */
class ReportRecordsJsonTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void loadResultRoundTrips() throws Exception {
        LoadResult load = new LoadResult(3, 2, 1, Map.of("http 503", 1L), new LatencySummary(4.2, 80.5, 310.0),
                List.of(new AcknowledgedOrder("k1", "s1", 11, "east"), new AcknowledgedOrder("k2", "s2", 12, "west")),
                List.of(new FailedCheckout("k3", 99, "http 503", "budget")));
        String text = json.writeValueAsString(load);

        JsonNode tree = json.readTree(text);
        assertThat(tree.fieldNames()).toIterable().containsExactlyInAnyOrder("attempted", "acknowledged", "failed",
                "failureReasons", "latencyMs", "orders", "failures");
        assertThat(tree.path("latencyMs").path("p99Ms").asDouble()).isEqualTo(80.5);
        assertThat(json.readValue(text, LoadResult.class)).isEqualTo(load);
    }

    @Test
    void auditAndProbeResultsRoundTrip() throws Exception {
        AuditResult audit = new AuditResult(5, Map.of("s1", "s1-east"), List.of(new LostOrder("k1", "s1", "s1-west")),
                List.of(new DuplicatedOrder("k2", 2, List.of("s1-east", "s2-east"))), List.of(), List.of());
        String text = json.writeValueAsString(audit);
        assertThat(json.readTree(text).fieldNames()).toIterable().containsExactlyInAnyOrder("checked", "primaries",
                "lost", "duplicated", "lagging", "problems");
        assertThat(json.readValue(text, AuditResult.class)).isEqualTo(audit);

        ProbeResult probe = new ProbeResult("s1", List.of(new ProbeAttempt(1, 2, null), new ProbeAttempt(3, 4, "1290 ro")));
        assertThat(json.readValue(json.writeValueAsString(probe), ProbeResult.class)).isEqualTo(probe);
    }
}
