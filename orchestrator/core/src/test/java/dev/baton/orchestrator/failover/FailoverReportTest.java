package dev.baton.orchestrator.failover;

import dev.baton.orchestrator.traffic.ARecord;
import dev.baton.orchestrator.traffic.DnsChange;
import dev.baton.orchestrator.traffic.DrainChange;
import dev.baton.orchestrator.traffic.WeightChange;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The report says what a step changed, and only claims a change happened when its step finished. */
class FailoverReportTest {
    private static final DnsChange FLIP = new DnsChange("example.test.", "checkout.example.test.",
            new ARecord("checkout.example.test.", "127.0.1.1", 1), new ARecord("checkout.example.test.", "127.0.2.1", 1));
    private static final DrainChange DRAIN = new DrainChange(List.of(new WeightChange("east", "b_checkout", "east", 100, 0),
            new WeightChange("east", "b_checkout", "west", 0, 100), new WeightChange("west", "b_checkout", "west", 100, 100)), List.of());

    @Test
    void aStepThatFailedAfterRecordingItsIntentIsShownAsAttemptedNotAsDone() {
        TrafficOutcome traffic = TrafficOutcome.NONE.withDns("drain-dns", FLIP).withWeights("drain-lb", DRAIN);
        String text = FailoverReport.of(failover(Failover.State.ROLLED_BACK, traffic,
                step("drain-dns", TimelineStep.State.ROLLED_BACK), step("drain-lb", TimelineStep.State.FAILED))).text();

        assertThat(text).contains("  dns: checkout.example.test. A 127.0.1.1 -> 127.0.2.1 (TTL 1) (rolled back)\n");
        assertThat(text).contains("  lb: HAProxy east b_checkout/east weight 100 -> 0 (attempted by drain-lb, which failed;"
                + " rolled back if any of it took)\n");
        assertThat(text).as("a weight that does not move is no change").doesNotContain("b_checkout/west weight 100 -> 100");
    }

    @Test
    void aSucceededFailoverListsItsChangesPlainly() {
        TrafficOutcome traffic = TrafficOutcome.NONE.withDns("drain-dns", FLIP).withWeights("drain-lb", DRAIN);
        FailoverReport report = FailoverReport.of(failover(Failover.State.SUCCEEDED, traffic,
                step("drain-dns", TimelineStep.State.DONE), step("drain-lb", TimelineStep.State.DONE)));

        assertThat(report.changeLines()).extracting(FailoverReport.ChangeLine::step).containsExactly("drain-dns", "drain-lb", "drain-lb");
        assertThat(report.text()).contains("  dns: checkout.example.test. A 127.0.1.1 -> 127.0.2.1 (TTL 1)\n")
                .contains("  lb: HAProxy east b_checkout/west weight 0 -> 100\n").doesNotContain("rolled back").doesNotContain("attempted");
    }

    private static TimelineStep step(String name, TimelineStep.State state) {
        Instant at = Instant.parse("2026-12-01T12:00:00Z");
        return new TimelineStep(name, state, at, at.plusMillis(5), 5.0, List.of(), state == TimelineStep.State.FAILED ? "broke" : "");
    }

    private static Failover failover(Failover.State state, TrafficOutcome traffic, TimelineStep... timeline) {
        Instant created = Instant.parse("2026-12-01T12:00:00Z");
        return new Failover("f-1", new FailoverRequest(null, "east", "west", "test", false, false, List.of()), "sre", "c-1", state,
                created, created.plusSeconds(1), null, null, null, List.of(timeline), traffic, List.of(), "");
    }
}
