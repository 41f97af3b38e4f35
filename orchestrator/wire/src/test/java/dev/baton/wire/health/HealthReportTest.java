package dev.baton.wire.health;

import dev.baton.wire.Endpoint;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthReportTest {
    private static final Endpoint DB = new Endpoint("127.0.1.1", 3306);

    @Test
    void everyProbeKindSurvivesJson() {
        HealthReport report = new HealthReport("agent-east-1", "east", 42, Instant.parse("2026-11-23T10:00:00.123Z"), List.of(
                new MariaDbProbe("s1-east", DB, true, false, false, false, false, null, "0-101-7", "0-101-7", 3, null),
                MariaDbProbe.unreachable("s2-east", DB, 1000, "connection refused"),
                new HaproxyProbe("east", new Endpoint("127.0.1.1", 9999), true,
                        List.of(new HaproxyProbe.Server("w_s1", "db", "127.0.1.1", 3306, "RUNNING")), 2, null),
                new HttpProbe("checkout east", "http://127.0.1.1:8080/health", 200, 5, null),
                new ReachabilityProbe("east", "west", "haproxy west", new Endpoint("127.0.2.1", 9999), false, 1000, "timeout")));
        String json = report.toJson();
        assertThat(json).contains("\"kind\":\"mariadb\"", "\"kind\":\"reachability\"", "\"sentAt\":\"2026-11-23T10:00:00.123Z\"");
        assertThat(HealthReport.fromJson(json)).isEqualTo(report);
    }

    @Test
    void unknownProbeKindsAndFieldsAreRefused() {
        String base = new HealthReport("a", "east", 1, Instant.EPOCH, List.of()).toJson();
        assertThatThrownBy(() -> HealthReport.fromJson(base.replace("\"probes\":[]", "\"probes\":[{\"kind\":\"consul\"}]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consul");
        assertThatThrownBy(() -> HealthReport.fromJson(base.replace("{", "{\"extra\":1,")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra");
        assertThatThrownBy(() -> HealthReport.fromJson(base.replace("\"dc\":\"east\",", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dc");
    }
}
