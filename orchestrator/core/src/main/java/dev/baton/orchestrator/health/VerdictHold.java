package dev.baton.orchestrator.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Hysteresis for one DC: a new verdict replaces the current one only after it held for the
 * policy's minimum duration and number of evaluations in a row. An agent alternating good and
 * bad never holds long enough, so it cannot flip the verdict back and forth; it is named as
 * flapping instead.
 */
final class VerdictHold {
    private final String dc;
    private final HealthPolicy policy;
    private Verdict verdict;
    private List<String> reasons = List.of();
    private Instant since;
    private Verdict pending;
    private Instant pendingSince;
    private int pendingCount;
    private Verdict lastRaw;
    private final Deque<Instant> rawChanges = new ArrayDeque<>();

    VerdictHold(String dc, HealthPolicy policy) {
        this.dc = dc;
        this.policy = policy;
    }

    DcHealth update(Assessment.Raw raw, Instant now) {
        countChange(raw.verdict(), now);
        List<String> shown = new ArrayList<>();
        if (verdict == null || raw.verdict() == verdict) {
            // The first evaluation has nothing to protect; a confirmed verdict refreshes its reasons.
            if (verdict == null) since = now;
            verdict = raw.verdict();
            reasons = raw.reasons();
            pending = null;
            shown.addAll(reasons);
        } else {
            if (pending != raw.verdict()) {
                pending = raw.verdict();
                pendingSince = now;
                pendingCount = 0;
            }
            pendingCount++;
            if (pendingCount >= policy.minEvaluations() && !Duration.between(pendingSince, now).minus(policy.minHold()).isNegative()) {
                verdict = pending;
                reasons = raw.reasons();
                since = now;
                pending = null;
                shown.addAll(reasons);
            } else {
                shown.addAll(reasons);
                shown.add("becoming " + pending + " if it holds for " + Assessment.seconds(policy.minHold()) + " (for "
                        + Assessment.seconds(Duration.between(pendingSince, now)) + " now)"
                        + (raw.reasons().isEmpty() ? "" : ": " + String.join("; ", raw.reasons())));
            }
        }
        if (rawChanges.size() >= policy.flapChanges()) {
            shown.add("flapping: its health changed " + rawChanges.size() + " times in the last "
                    + Assessment.seconds(policy.flapWindow()) + "; the verdict stays until it settles");
        }
        return new DcHealth(dc, verdict, shown, since, raw.observedBy());
    }

    private void countChange(Verdict raw, Instant now) {
        if (lastRaw != null && raw != lastRaw) rawChanges.addLast(now);
        lastRaw = raw;
        while (!rawChanges.isEmpty() && rawChanges.peekFirst().isBefore(now.minus(policy.flapWindow()))) rawChanges.removeFirst();
    }
}
