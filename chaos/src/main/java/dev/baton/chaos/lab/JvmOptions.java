package dev.baton.chaos.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The JVM options of every kind of Java process a lab runs, in one place. They run side by side on a
 * 2-core machine with the databases, so each is sized for what it does (measured with
 * {@code bench footprint} and /proc, see the issue 10 note):
 * <ul>
 *   <li>Serial GC everywhere: small heaps, and no parallel or concurrent GC threads competing for two cores.</li>
 *   <li>Services that do a little work every second (agents, coordinators, ZooKeeper, the stand-ins) compile with
 *   C1 only and a lower compile threshold. With the default tiered compiler a once-a-second code path stays
 *   interpreted for minutes and C2 then keeps compiling it in the background: an idle agent spent 5.9 % of a core,
 *   of which ~2.5 % was the JIT; C1-only with thresholds scaled to 2 % compiles those paths in the first seconds and
 *   idles (measured per HTTP request: 3.7 ms with default C1 thresholds, 1 ms scaled). The coordinator's failover
 *   code runs a few times a day: under tiered compilation it would run interpreted, under this it is compiled early.</li>
 *   <li>No perf-data file: its sampler wakes every 50 ms in every JVM.</li>
 * </ul>
 * {@code BATON_JVM_<KIND>} (e.g. {@code BATON_JVM_CHECKOUT="-Xmx256m"}) replaces a kind's options, to measure another choice.
 */
public final class JvmOptions {
    /** What every lab JVM gets. */
    private static final List<String> COMMON = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData");
    /** For processes whose work is a little every second. */
    private static final List<String> LOW_RATE = List.of("-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=0.02");
    private static final List<String> C1_ONLY = List.of("-XX:TieredStopAtLevel=1");

    public enum Kind {
        COORDINATOR("-Xmx256m"),
        AGENT("-Xmx96m"),
        ZOOKEEPER("-Xmx128m"),
        STAND_INS("-Xmx64m"),
        /**
         * Serves every checkout of its DC. C1 only, default thresholds (hundreds a second compile its paths at once): C2
         * was still compiling minutes after the start (3 of its 12 CPU seconds in a steady minute at 200 checkouts/s, and
         * half its start-up), and C1's code served the same load for about the same CPU.
         */
        CHECKOUT("-Xmx256m");

        private final String heap;

        Kind(String heap) {
            this.heap = heap;
        }
    }

    private JvmOptions() {
    }

    public static List<String> of(Kind kind) {
        String override = System.getenv("BATON_JVM_" + kind.name());
        if (override != null && !override.isBlank()) return Arrays.asList(override.trim().split("\\s+"));
        List<String> options = new ArrayList<>();
        options.add(kind.heap);
        options.addAll(COMMON);
        options.addAll(kind == Kind.CHECKOUT ? C1_ONLY : LOW_RATE);
        return List.copyOf(options);
    }

    /** The kind's name as people read it, e.g. {@code stand-ins}. */
    public static String label(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
