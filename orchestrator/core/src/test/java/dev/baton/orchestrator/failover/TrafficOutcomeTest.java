package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.consul.ConsulChange;
import dev.baton.orchestrator.consul.KvChange;
import dev.baton.orchestrator.consul.TagChange;
import dev.baton.orchestrator.traffic.ARecord;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.WeightChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-step traffic records as ZooKeeper and the API hold them (the failover's JSON). */
class TrafficOutcomeTest {
    private static final DnsChange TO_WEST = new DnsChange("example.test.", "checkout.example.test.",
            new ARecord("checkout.example.test.", "127.0.1.1", 1), new ARecord("checkout.example.test.", "127.0.2.1", 1));
    private static final DnsChange TO_EAST = new DnsChange("example.test.", "checkout.example.test.",
            new ARecord("checkout.example.test.", "127.0.2.1", 1), new ARecord("checkout.example.test.", "127.0.1.1", 1));

    @Test
    void eachStepKeepsItsOwnRecordInTheOrderTheyRanAndTheLatestViewsFollow() throws Exception {
        DrainChange drain = new DrainChange(List.of(new WeightChange("east", "checkout", "east", 100, 0)));
        DrainChange undrain = new DrainChange(List.of(new WeightChange("east", "checkout", "east", 0, 100)));
        TrafficOutcome outcome = TrafficOutcome.NONE.withDns("z-dns", TO_WEST).withWeights("lb-1", drain).withDns("a-dns", TO_EAST)
                .withWeights("lb-2", undrain).withDns("z-dns", TO_WEST)
                .withConsul("kv", new ConsulChange(new KvChange("k", null, "west", 0), List.of(new TagChange("s", "west", null, List.of("a")))));

        TrafficOutcome read = Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(outcome), TrafficOutcome.class);

        assertThat(read).isEqualTo(outcome);
        assertThat(read.dnsSteps().keySet()).as("a step recorded again keeps its place").containsExactly("z-dns", "a-dns");
        assertThat(read.weightSteps()).containsEntry("lb-1", drain).containsEntry("lb-2", undrain);
        assertThat(read.dns()).isEqualTo(TO_WEST);
        assertThat(read.weights()).isEqualTo(undrain);
    }

    @Test
    void aRetryKeepsWhatTheFirstAttemptFoundBeforeSoTheUndoPutsBackWhatWasThereBeforeTheStep() {
        // The first attempt moved east's HAProxy, then failed on west's; the retry finds east moved already.
        DrainChange first = new DrainChange(List.of(new WeightChange("east", "checkout", "east", 100, 0),
                new WeightChange("west", "checkout", "east", 100, 0)));
        DrainChange retry = new DrainChange(List.of(new WeightChange("east", "checkout", "east", 0, 0),
                new WeightChange("west", "checkout", "east", 100, 0), new WeightChange("west", "checkout", "west", 0, 100)));
        assertThat(retry.since(first).weights()).containsExactly(new WeightChange("east", "checkout", "east", 100, 0),
                new WeightChange("west", "checkout", "east", 100, 0), new WeightChange("west", "checkout", "west", 0, 100));

        // The first attempt wrote the key and failed on the tags; the retry finds its own value there.
        ConsulChange wrote = new ConsulChange(new KvChange("k", "blue", "west", 7), List.of(new TagChange("s", "west", List.of("v1"),
                List.of("active"))));
        ConsulChange again = new ConsulChange(new KvChange("k", "west", "west", 9), List.of(new TagChange("s", "west", List.of("v1"),
                List.of("active")), new TagChange("s", "east", null, List.of("standby"))));
        assertThat(again.since(wrote)).isEqualTo(new ConsulChange(new KvChange("k", "blue", "west", 9), List.of(
                new TagChange("s", "west", List.of("v1"), List.of("active")), new TagChange("s", "east", null, List.of("standby")))));
    }

    @Test
    void aFailoverPersistedBeforeThePerStepRecordsReadsWithNone() throws Exception {
        String old = "{\"dns\":" + Json.MAPPER.writeValueAsString(TO_WEST) + ",\"weights\":null,\"verifications\":null}";
        TrafficOutcome read = Json.MAPPER.readValue(old, TrafficOutcome.class);
        assertThat(read.dns()).isEqualTo(TO_WEST);
        assertThat(read.dnsSteps()).isEmpty();
        assertThat(read.weightSteps()).isEmpty();
        assertThat(read.consulSteps()).isEmpty();
    }
}
