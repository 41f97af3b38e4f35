package dev.baton.chaos.workload.probe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ProbeResultTest {
    private static final long MS = 1_000_000;

    private static ProbeAttempt ok(long startMs, long endMs) {
        return new ProbeAttempt(startMs * MS, endMs * MS, null);
    }

    private static ProbeAttempt failed(long startMs, long endMs) {
        return new ProbeAttempt(startMs * MS, endMs * MS, "1290 read-only");
    }

    @Test
    void theLongestStretchWithoutACommitIsTheGap() {
        ProbeResult r = new ProbeResult("s0", List.of(
                ok(0, 2), ok(10, 12), failed(20, 21), failed(30, 31), ok(40, 95), ok(50, 96), ok(60, 62), ok(70, 72)));
        // Commits end at 2, 12, 62, 72, 95, 96: the pause is 12 -> 62.
        assertThat(r.maxGapMs(0, 100 * MS)).isCloseTo(50.0, within(1e-9));
        assertThat(r.failures(0, 100 * MS)).isEqualTo(2);
        assertThat(r.errors(0, 100 * MS)).containsExactly("1290 read-only", "1290 read-only");
    }

    @Test
    void theWindowEdgesCount() {
        ProbeResult r = new ProbeResult("s0", List.of(ok(0, 2), ok(10, 12), ok(20, 22)));
        // From the window's start to the first commit inside it.
        assertThat(r.maxGapMs(5 * MS, 22 * MS)).isCloseTo(10.0, within(1e-9));
        // From the last commit inside it to the window's end.
        assertThat(r.maxGapMs(0, 100 * MS)).isCloseTo(78.0, within(1e-9));
        // No commit at all: the whole window.
        assertThat(r.maxGapMs(30 * MS, 45 * MS)).isCloseTo(15.0, within(1e-9));
        // Commits outside the window don't shorten it; failures outside it don't count.
        assertThat(new ProbeResult("s0", List.of(failed(1, 3))).failures(5 * MS, 9 * MS)).isZero();
    }

    @Test
    void aPauseIsCountedWholeWhenItOutlastsTheWindow() {
        ProbeResult r = new ProbeResult("s0", List.of(ok(0, 2), ok(10, 12), failed(20, 400), ok(401, 402), ok(410, 412)));
        // The window ends at 30, the next commit is at 402: the whole 12 -> 402, where maxGapMs stops at the window's end.
        assertThat(r.pauseMs(5 * MS, 30 * MS)).isCloseTo(390.0, within(1e-9));
        assertThat(r.maxGapMs(5 * MS, 30 * MS)).isCloseTo(18.0, within(1e-9));
        // A stretch before the window counts from the window's start; one beginning after it is not its own.
        assertThat(r.pauseMs(100 * MS, 150 * MS)).isCloseTo(302.0, within(1e-9));
        assertThat(r.pauseMs(0, 5 * MS)).isCloseTo(10.0, within(1e-9));
        // Nothing committed after: the stretch runs to the probe's last attempt.
        ProbeResult stuck = new ProbeResult("s0", List.of(ok(0, 2), failed(10, 500)));
        assertThat(stuck.pauseMs(5 * MS, 30 * MS)).isCloseTo(495.0, within(1e-9));
    }

    @Test
    void aFailureBelongsToEveryWindowItOverlaps() {
        ProbeResult r = new ProbeResult("s0", List.of(failed(0, 5), failed(10, 300), ok(310, 312), failed(400, 401)));
        // Begun inside [20, 30]? No, but still running then: it overlaps.
        assertThat(r.failedOverlapping(20 * MS, 30 * MS)).extracting(ProbeAttempt::startNanos).containsExactly(10 * MS);
        assertThat(r.failedOverlapping(5 * MS, 10 * MS)).hasSize(2);
        assertThat(r.failedOverlapping(302 * MS, 399 * MS)).isEmpty();
        assertThat(r.failed()).hasSize(3);
    }

    @Test
    void attemptsAreOrderedByStart() {
        ProbeResult r = new ProbeResult("s0", List.of(ok(20, 22), ok(0, 2)));
        assertThat(r.attempts()).extracting(ProbeAttempt::startNanos).containsExactly(0L, 20 * MS);
    }
}
