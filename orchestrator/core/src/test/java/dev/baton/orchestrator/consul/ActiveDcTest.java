package dev.baton.orchestrator.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ActiveDcTest {
    @Test
    void theStoredDocumentIsPlainJsonThatReadsBack() throws Exception {
        ActiveDc doc = new ActiveDc("west", Map.of("s1", "west", "s0", "east"), "f-7", Instant.parse("2026-11-23T10:00:00Z"));
        String json = doc.toJson();
        assertThat(new ObjectMapper().readTree(json)).isEqualTo(new ObjectMapper().readTree("""
                {"activeDc": "west", "shards": {"s0": "east", "s1": "west"}, "failoverId": "f-7", "at": "2026-11-23T10:00:00Z"}"""));
        assertThat(json).as("shards sorted, so equal documents are equal text").contains("{\"s0\":\"east\",\"s1\":\"west\"}");
        assertThat(ActiveDc.fromJson(json)).isEqualTo(doc);
    }

    @Test
    void routingIgnoresWhoWroteItAndWhen() {
        ActiveDc a = new ActiveDc("east", Map.of("s0", "east"), "f-1", Instant.EPOCH);
        assertThat(a.sameRouting(new ActiveDc("east", Map.of("s0", "east"), "f-2", Instant.now()))).isTrue();
        assertThat(a.sameRouting(a.withShard("s0", "west", "f-2", Instant.now()))).isFalse();
        assertThat(a.sameRouting(null)).isFalse();
    }

    @Test
    void aDocumentWithAnUnknownFieldIsRefused() {
        assertThatThrownBy(() -> ActiveDc.fromJson("{\"activeDc\":\"east\",\"shards\":{},\"primary\":\"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("primary");
    }
}
