package dev.baton.chaos.lab;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The JVM options of every kind of Java process a lab runs, in one place. They run side by side on a
 * 2-core machine with the databases, so each is sized for what it does (measured with
 * {@code bench footprint}, whose tables show each kind's CPU and how much of it its JIT compiler threads used):
 * <ul>
 *   <li>Serial GC everywhere: small heaps, and no parallel or concurrent GC threads competing for two cores.</li>
 *   <li>C1 only everywhere. Under the default tiered compiler C2 was still compiling minutes after a start (a
 *   quarter of a checkout app's CPU in a steady minute of load) and was about half of every JVM's start-up CPU;
 *   C1's code served the same load for about the same CPU.</li>
 *   <li>Compile thresholds scaled down for the services whose work is a little every second (agents,
 *   coordinators): at the default thresholds a once-a-second code path stays interpreted for minutes (an HTTP
 *   request cost 3.7 ms of CPU at default C1 thresholds, 1 ms at scaled ones). Lower scaling idles cheaper and
 *   costs more at the start, where every path run a few times is compiled: see each kind.</li>
 *   <li>No perf-data file: its sampler wakes every 50 ms in every JVM.</li>
 *   <li>For the once-a-second services, the monitor deflation thread looks every 2 s instead of every 250 ms
 *   (a diagnostic flag): its four wake-ups a second were 2 of an idle agent's 23 CPU ticks a minute. Deflation
 *   itself is unchanged (still at least every 60 s); these processes hold a few dozen monitors.</li>
 * </ul>
 * {@code BATON_JVM_<KIND>} (e.g. {@code BATON_JVM_CHECKOUT="-Xmx256m"}) replaces a kind's options, to measure another choice.
 */
public final class JvmOptions {
    /** What every lab JVM gets. */
    private static final List<String> COMMON = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1");

    public enum Kind {
        /**
         * Idle most of the day, so idle CPU matters most: thresholds at 5 %. Measured on one coordinator (first 12 s /
         * the next 60 s): scaling 1.0 3.9 s / 2.2 %, 0.2 4.3 s / 2.0 %, 0.05 4.3 s / 1.4 %, 0.02 5.2 s / 1.1 %.
         */
        COORDINATOR("-Xmx256m", 0.05),
        /** One per DC beside its databases, probing every second: the lowest idle CPU, thresholds at 2 %. */
        AGENT("-Xmx96m", 0.02),
        /** Default thresholds: its load is the coordinators' sessions and writes, and its start-up counts. */
        ZOOKEEPER("-Xmx128m", 1),
        STAND_INS("-Xmx64m", 1),
        /** Serves every checkout of its DC: hundreds a second compile its paths at once at the default thresholds. */
        CHECKOUT("-Xmx256m", 1);

        private final String heap;
        private final double compileThresholdScaling;

        Kind(String heap, double compileThresholdScaling) {
            this.heap = heap;
            this.compileThresholdScaling = compileThresholdScaling;
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
        if (kind == Kind.AGENT || kind == Kind.COORDINATOR) {
            options.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:AsyncDeflationInterval=2000"));
        }
        if (kind.compileThresholdScaling != 1) {
            options.add("-XX:CompileThresholdScaling=" + String.format(Locale.ROOT, "%s", kind.compileThresholdScaling));
        }
        return List.copyOf(options);
    }

    /** The kind's name as people read it, e.g. {@code stand-ins}. */
    public static String label(Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
