package dev.baton.chaos.bench.footprint;

/**
 * What one process used over a window.
 *
 * @param cpuSeconds CPU time over the window (all threads); a process that started inside it counts from its start
 * @param jitSeconds of which its JIT compiler threads (a lower bound: see {@code ProcStat.jitTicks})
 * @param cpuPct     that CPU as a share of one core over the whole window (100 = one core busy all the time)
 * @param rssMbAvg   resident memory, mean over the samples that saw it
 * @param rssMbMax   resident memory, the largest sample
 */
public record ProcessUse(String kind, String name, long pid, double cpuSeconds, double jitSeconds, double cpuPct, double rssMbAvg, double rssMbMax) {
}
