package dev.baton.chaos.bench.footprint;

/**
 * Every process of one kind over a window.
 *
 * @param processes   how many (a restarted process counts once per PID)
 * @param jitSeconds  of their CPU, what their JIT compiler threads used
 * @param cpuPct      their CPU together, % of one core
 * @param cpuPctMax   the busiest one's, % of one core
 * @param rssMb       their mean resident memory together
 * @param rssMbMax    the largest resident set any one of them reached
 */
public record KindUse(String kind, int processes, double cpuSeconds, double jitSeconds, double cpuPct, double cpuPctMax, double rssMb, double rssMbMax) {
}
