package dev.baton.chaos.bench.footprint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU and memory every measured process used over one window, read from /proc.
 *
 * @param wallSeconds the window's length
 * @param processes   one entry per process (PID) seen in it
 */
public record Footprint(double wallSeconds, List<ProcessUse> processes) {
    /** Kinds in the order a reader looks for them; any other kind follows, in the order first seen. */
    private static final List<String> ORDER = List.of("mariadbd", "haproxy", "pdns", "zookeeper", "stand-ins", "checkout",
            "coordinator", "agent", "load generator", "helpers");

    public Footprint {
        processes = List.copyOf(processes);
    }

    public List<KindUse> byKind() {
        Map<String, List<ProcessUse>> kinds = new LinkedHashMap<>();
        ORDER.forEach(k -> kinds.put(k, new ArrayList<>()));
        processes.forEach(p -> kinds.computeIfAbsent(p.kind(), k -> new ArrayList<>()).add(p));
        return kinds.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(e -> {
            List<ProcessUse> ps = e.getValue();
            return new KindUse(e.getKey(), ps.size(), ps.stream().mapToDouble(ProcessUse::cpuSeconds).sum(),
                    ps.stream().mapToDouble(ProcessUse::jitSeconds).sum(), ps.stream().mapToDouble(ProcessUse::cpuPct).sum(), ps.stream().mapToDouble(ProcessUse::cpuPct).max().orElse(0),
                    ps.stream().mapToDouble(ProcessUse::rssMbAvg).sum(), ps.stream().mapToDouble(ProcessUse::rssMbMax).max().orElse(0));
        }).toList();
    }

    /** CPU time of every measured process together. */
    public double cpuSeconds() {
        return processes.stream().mapToDouble(ProcessUse::cpuSeconds).sum();
    }

    /** Cores busy on average over the window, every measured process together. */
    public double totalCores() {
        return wallSeconds <= 0 ? 0 : cpuSeconds() / wallSeconds;
    }

    /** The busiest process of a kind, % of one core; 0 when there is none. */
    public double maxCpuPct(String kind) {
        return processes.stream().filter(p -> p.kind().equals(kind)).mapToDouble(ProcessUse::cpuPct).max().orElse(0);
    }

    public double rssMb() {
        return processes.stream().mapToDouble(ProcessUse::rssMbAvg).sum();
    }

    /** One line per kind, then the total. */
    public String markdown() {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "| kind | processes | CPU s | of which JIT s | CPU %% of a core (all) | busiest one %% | RSS MB (all, mean) | largest RSS MB |%n"
                        + "|---|---|---|---|---|---|---|---|%n"));
        for (KindUse k : byKind()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f |%n", k.kind(), k.processes(),
                    k.cpuSeconds(), k.jitSeconds(), k.cpuPct(), k.cpuPctMax(), k.rssMb(), k.rssMbMax()));
        }
        md.append(String.format(Locale.ROOT, "| **all** | %d | %.2f | %.2f | %.2f (%.3f cores) | | %.0f | |%n", processes.size(),
                cpuSeconds(), processes.stream().mapToDouble(ProcessUse::jitSeconds).sum(), totalCores() * 100, totalCores(), rssMb()));
        md.append(String.format(Locale.ROOT, "%nOver %.1f s of wall time, from /proc/PID/stat.%n", wallSeconds));
        return md.toString();
    }
}
