package dev.baton.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.bench.BenchReport.Checkouts;
import dev.baton.chaos.bench.BenchReport.Latency;
import dev.baton.chaos.bench.BenchReport.OutsideWindows;
import dev.baton.chaos.bench.BenchReport.PhaseReport;
import dev.baton.chaos.bench.BenchReport.ProbeWrites;
import dev.baton.chaos.bench.BenchReport.Target;
import dev.baton.chaos.workload.probe.ProbeAttempt;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The switchover bench's verdict: every printed target judged, orders of every phase counted, nothing measured dropped. */
class BenchReportTest {
    private static final long MS = 1_000_000;

    private static Checkouts checkouts(long failed, long lost, long duplicated) {
        return new Checkouts(1000, 1000 - failed, failed, lost, duplicated, Map.of(), 0, List.of());
    }

    /** A phase that meets every target of Baton's, but for what is given. */
    private static PhaseReport phase(Checkouts checkouts, OutsideWindows outside) {
        Summary pause = Summary.of(List.of(40.0, 60.0));
        return new PhaseReport("baton", checkouts, new Latency(5, 20, 50), pause, pause, new ProbeWrites(0, 0, 0),
                new ProbeWrites(2, 1, 1), Map.of(), outside, Summary.of(List.of(300L, 400L)), 2, 0, List.of());
    }

    private static BenchReport report(Checkouts warmup, PhaseReport baton, PhaseReport baseline) {
        var config = new BenchReport.Config(1, 50, 1, List.of("east", "west"), "now", 2, 1, 10, 10);
        return new BenchReport(config, warmup, null, Summary.of(List.of(5.0)), baton, baseline, BenchReport.ratios(baton, baseline),
                BenchReport.judge(warmup, baton, baseline, 1));
    }

    private static final OutsideWindows NONE = new OutsideWindows(0, 0, Map.of());

    @Test
    void aCleanRunHoldsEveryTarget() {
        BenchReport r = report(checkouts(0, 0, 0), phase(checkouts(0, 0, 0), NONE), phase(checkouts(7, 0, 0), NONE));
        assertThat(r.targets()).allMatch(Target::met);
        assertThat(r.ok()).isTrue();
    }

    @Test
    void anOrderLostInTheWarmUpOrTheBaselineFailsTheRun() {
        PhaseReport clean = phase(checkouts(0, 0, 0), NONE);
        assertThat(report(checkouts(0, 1, 0), clean, null).ok()).isFalse();
        assertThat(report(checkouts(0, 0, 1), clean, null).ok()).isFalse();
        assertThat(report(null, clean, phase(checkouts(0, 1, 0), NONE)).ok()).isFalse();
        assertThat(report(null, clean, phase(checkouts(0, 0, 2), NONE)).ok()).isFalse();
        // The baseline's failed checkouts are what the baseline is for: reported, not judged.
        assertThat(report(null, clean, phase(checkouts(30, 0, 0), NONE)).ok()).isTrue();
        // An audit that could not check every order proves nothing lost.
        Checkouts unchecked = new Checkouts(10, 10, 0, 0, 0, Map.of(), 0, List.of("lagging: s1-west"));
        assertThat(report(unchecked, clean, null).ok()).isFalse();
    }

    @Test
    void aFailedProbeWriteOutsideEverySwitchoverWindowIsCountedAndJudged() {
        BenchReport r = report(null, phase(checkouts(0, 0, 0), new OutsideWindows(0, 1, Map.of("pooled: 1927 Connection killed", 1L))), null);
        assertThat(r.ok()).isFalse();
        assertThat(r.targets()).filteredOn(t -> !t.met()).singleElement()
                .satisfies(t -> assertThat(t.measured()).isEqualTo("0 / 1"));
        assertThat(r.toMarkdown()).contains("| failed no-retry writes outside every switchover window (new conn / pooled) | 0 / 1 |")
                .contains("Probe errors outside every switchover window (Baton): {pooled: 1927 Connection killed=1}");
    }

    @Test
    void theJsonHasTheFiguresAndNotTheVerdictMethods() throws Exception {
        BenchReport r = report(checkouts(0, 0, 0), phase(checkouts(0, 0, 0), NONE), null);
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertThat(json.path("checkouts").path("staleConnectionRetries").isNumber()).isTrue();
        assertThat(json.path("outsideWindows").path("pooledProbeFailedWrites").isNumber()).isTrue();
        assertThat(json.has("ok")).isFalse();
        assertThat(json.path("checkouts").has("ordersIntact")).isFalse();
    }

    @Test
    void aFailedWriteIsBilledToTheFirstSwitchoverItOverlapsHoweverLateItEnds() {
        List<SwitchoverBench.Switched> switched = List.of(
                new SwitchoverBench.Switched(1, "east", "west", 100 * MS, 200 * MS, 0, List.of()),
                new SwitchoverBench.Switched(1, "west", "east", 1500 * MS, 1600 * MS, 0, List.of()));
        // The window runs 250 ms past the return: 100..450 and 1500..1850.
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(150 * MS, 3150 * MS, "timeout"), switched)).isZero();
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(440 * MS, 445 * MS, "1290"), switched)).isZero();
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(50 * MS, 100 * MS, "1927"), switched)).isZero();
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(460 * MS, 470 * MS, "1290"), switched)).isEqualTo(-1);
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(1700 * MS, 1710 * MS, "1290"), switched)).isEqualTo(1);
        assertThat(SwitchoverBench.windowOf(new ProbeAttempt(10 * MS, 20 * MS, "1290"), switched)).isEqualTo(-1);
    }
}
