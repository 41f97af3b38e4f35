package dev.baton.cli;

import dev.baton.chaos.bench.WritableSampler;
import dev.baton.chaos.workload.load.LatencySummary;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader-kill bench's verdict, from figures given: every target it prints is judged, and only a good end is in time. */
class LeaderKillReportTest {
    private static final LeaderKillBench.Options OPTIONS = new LeaderKillBench.Options(50, 2, List.of("drain-dns", "switch-shards"),
            Duration.ofMillis(500), Duration.ofSeconds(1));
    private static final WritableSampler.Result ONE_WRITABLE = new WritableSampler.Result(25, 1000, Map.of("s1", 1, "s2", 1), 0, 0,
            List.of(), 120, List.of(), 0, List.of());

    private static LeaderKillBench.Kill kill(int n, String state, Long killToEndMs, Map<String, Long> failed) {
        return new LeaderKillBench.Kill(n, "drain-dns", "f-" + n, "east", "west", "coordinator-east", 42, Instant.EPOCH, 3.0,
                "drain-dns", Map.of(), state, killToEndMs, "coordinator-west", "", failed, Map.of(), "west", Map.of("west", 2L), "", 0);
    }

    private static EvacuationBench.Checkouts checkouts(long failed, long lost) {
        return new EvacuationBench.Checkouts(500, 500 - failed, failed, lost, 0, failed == 0 ? Map.of() : Map.of("http 503", failed),
                Map.of(), 0, List.of());
    }

    private static LeaderKillBench.Report report(List<LeaderKillBench.Kill> kills, EvacuationBench.Checkouts checkouts) {
        return report(kills, checkouts, 0);
    }

    private static LeaderKillBench.Report report(List<LeaderKillBench.Kill> kills, EvacuationBench.Checkouts checkouts, long readOnly) {
        return LeaderKillBench.Report.of(OPTIONS, 2, null, kills, checkouts, LatencySummary.EMPTY, ONE_WRITABLE, Map.of(), readOnly);
    }

    @Test
    void everyKillEndingWellInTimeWithNothingFailedHoldsEveryTarget() {
        LeaderKillBench.Report r = report(List.of(kill(1, "ROLLED_BACK", 4000L, Map.of()), kill(2, "SUCCEEDED", 6000L, Map.of())),
                checkouts(0, 0));
        assertThat(r.targets()).hasSize(7).allMatch(LeaderKillBench.Target::met);
        assertThat(r.ok()).isTrue();
        assertThat(r.misses()).isEmpty();
        assertThat(r.markdown()).contains("## Targets").contains("Every target held.");
    }

    @Test
    void aFailedFailoverIsNoEndInTimeHoweverFast() {
        LeaderKillBench.Report r = report(List.of(kill(1, "FAILED", 900L, Map.of()), kill(2, "SUCCEEDED", 6000L, Map.of())),
                checkouts(0, 0));
        assertThat(r.ok()).isFalse();
        assertThat(r.misses()).singleElement().asString().contains("ended FAILED 900 ms after the kill");
        assertThat(r.markdown()).contains("| 1/2 | **NO** |");
    }

    @Test
    void failedCheckoutsAreCountedAgainstTheirTarget() {
        LeaderKillBench.Report r = report(List.of(kill(1, "ROLLED_BACK", 4000L, Map.of("http 503", 3L)), kill(2, "SUCCEEDED", 6000L,
                Map.of())), checkouts(3, 0));
        assertThat(r.ok()).isFalse();
        assertThat(r.targets()).filteredOn(t -> !t.met()).singleElement().satisfies(t -> {
            assertThat(t.name()).startsWith("failed checkouts");
            assertThat(t.measured()).startsWith("3 (during kills 3, after their ends 0, before the first 0)");
        });
    }

    @Test
    void aReadOnlyErrorReturnedToCheckoutIsItsOwnMiss() {
        LeaderKillBench.Report r = report(List.of(kill(1, "SUCCEEDED", 4000L, Map.of("http 503", 2L))), checkouts(2, 0), 2);
        assertThat(r.targets()).filteredOn(t -> !t.met()).extracting(LeaderKillBench.Target::name)
                .contains("checkouts answered with a read-only error (writes let through to a fenced primary)");
        assertThat(r.misses()).contains("2 checkout(s) failed on a read-only server");
    }

    @Test
    void aLostOrderFailsTheRun() {
        assertThat(report(List.of(kill(1, "SUCCEEDED", 4000L, Map.of())), checkouts(0, 1)).ok()).isFalse();
    }
}
