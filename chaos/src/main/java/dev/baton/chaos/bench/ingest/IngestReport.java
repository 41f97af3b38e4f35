package dev.baton.chaos.bench.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent-report ingest benchmark's result. Other tools read {@code latencyMs.p99},
 * {@code worstWindowP99Ms}, {@code achievedRatePerSecond}, {@code reports.failed} and
 * {@code rssMb.max}.
 *
 * @param achievedRatePerSecond what the coordinator answered (2xx) per second of the measured phase, counted when the
 *                          answers came, whichever report they answered: a coordinator that falls behind answers fewer
 * @param offeredRatePerSecond the measured reports the generator sent per second (when they were due)
 * @param byOutcome         answers by HTTP status, or {@code error: <exception>} when none came
 * @param maxDispatchLagMs  how late the load generator sent its latest report: above a few ms the
 *                          generator itself (sharing the cores) was the bottleneck
 * @param coordinatorCpuMsPerSecond the coordinator process's CPU time (all its threads) per second of the measured
 *                          phase: what the ingest costs, independent of how busy the machine's other tenants keep it
 * @param windows           one per second of the measured phase
 */
public record IngestReport(Config config, Reports reports, double achievedRatePerSecond, double offeredRatePerSecond,
                           Map<String, Long> byOutcome,
                           Latency latencyMs, double worstWindowP99Ms, double maxDispatchLagMs, Rss rssMb,
                           double coordinatorCpuMsPerSecond, double coordinatorCpuMicrosPerReport,
                           List<Target> targets, List<Window> windows) {

    /** @param coordinatorJvmOptions as the caller started the coordinator; the bench itself does not know them */
    public record Config(int agents, int ratePerSecond, long seconds, long warmupSeconds, int connections, int cores,
                         String startedAt, String coordinatorJvmOptions) {
        Config(int agents, int ratePerSecond, long seconds, long warmupSeconds, int connections, int cores, String startedAt) {
            this(agents, ratePerSecond, seconds, warmupSeconds, connections, cores, startedAt, "");
        }
    }

    /** @param ok answered 2xx; {@code failed} is everything else, errors without an answer included */
    public record Reports(long sent, long ok, long failed) {
    }

    public record Latency(double p50, double p99, double p999, double max) {
    }

    /** @param max the largest sample of the measured phase; {@code maxWithWarmup} counts the warm-up too */
    public record Rss(double max, double maxWithWarmup) {
    }

    public record Window(int second, long ok, double p99Ms, double maxMs, double rssMb) {
    }

    public record Target(String name, String target, String measured, boolean met) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static IngestReport of(Config config, long sent, double answeredPerSecond, double offeredPerSecond, Map<String, Long> byOutcome,
                           Histogram latencyMicros, List<Window> windows, double maxDispatchLagMs, double rssMax, double rssMaxWithWarmup,
                           double coordinatorCpuSeconds) {
        long ok = latencyMicros.getTotalCount();
        Latency latency = new Latency(IngestBench.micros(latencyMicros.getValueAtPercentile(50)),
                IngestBench.micros(latencyMicros.getValueAtPercentile(99)), IngestBench.micros(latencyMicros.getValueAtPercentile(99.9)),
                IngestBench.micros(latencyMicros.getMaxValue()));
        double worstWindow = windows.stream().mapToDouble(Window::p99Ms).max().orElse(0);
        double rate = answeredPerSecond;
        Reports reports = new Reports(sent, ok, sent - ok);
        List<Target> targets = new ArrayList<>();
        double wanted = config.ratePerSecond() * 0.99;
        targets.add(new Target("reports/s answered 2xx by the coordinator, measured seconds", ">= " + fmt(wanted) + " (99 % of "
                + config.ratePerSecond() + ") over " + config.seconds() + " s", fmt(rate), rate >= wanted));
        targets.add(new Target("failed reports", "0", Long.toString(reports.failed()), reports.failed() == 0));
        targets.add(new Target("ingest latency p99", "<= 20 ms", fmt(latency.p99()) + " ms", latency.p99() <= 20));
        targets.add(new Target("coordinator RSS max", "< 300 MB", fmt(rssMax) + " MB", rssMax < 300));
        double cpuSampledSeconds = Math.max(1, windows.size() - 1);
        return new IngestReport(config, reports, rate, offeredPerSecond, byOutcome, latency, worstWindow, maxDispatchLagMs,
                new Rss(rssMax, rssMaxWithWarmup), coordinatorCpuSeconds * 1000 / cpuSampledSeconds,
                rate <= 0 ? 0 : coordinatorCpuSeconds * 1e6 / (rate * cpuSampledSeconds), targets, windows);
    }

    /** The same report, saying how the coordinator's JVM was started. */
    public IngestReport withCoordinatorJvmOptions(String options) {
        Config c = new Config(config.agents(), config.ratePerSecond(), config.seconds(), config.warmupSeconds(),
                config.connections(), config.cores(), config.startedAt(), options);
        return new IngestReport(c, reports, achievedRatePerSecond, offeredRatePerSecond, byOutcome, latencyMs, worstWindowP99Ms,
                maxDispatchLagMs, rssMb, coordinatorCpuMsPerSecond, coordinatorCpuMicrosPerReport, targets, windows);
    }

    public boolean targetsMet() {
        return targets.stream().allMatch(Target::met);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String toMarkdown() {
        StringBuilder md = new StringBuilder("# Agent report ingest benchmark\n\n");
        md.append("%d agents posting %d reports/s open-loop for %d s after a %d s warm-up ramping up from 0, at most %d keep-alive connections, %d cores, started %s; coordinator JVM: `%s`.\n\n"
                .formatted(config.agents(), config.ratePerSecond(), config.seconds(), config.warmupSeconds(), config.connections(),
                        config.cores(), config.startedAt(), config.coordinatorJvmOptions().isBlank() ? "defaults" : config.coordinatorJvmOptions()));
        md.append("Latency runs from the moment a report was due to its 2xx answer, so queueing in the generator counts.\n\n");
        md.append("| measure | value |\n|---|---|\n");
        md.append("| reports sent / ok / failed | %d / %d / %d |\n".formatted(reports.sent(), reports.ok(), reports.failed()));
        md.append("| answered 2xx per second (sent per second) | %s (%s) |\n".formatted(fmt(achievedRatePerSecond),
                fmt(offeredRatePerSecond)));
        md.append("| answers by outcome | %s |\n".formatted(byOutcome));
        md.append("| latency p50 / p99 / p99.9 / max (ms) | %s / %s / %s / %s |\n".formatted(fmt(latencyMs.p50()),
                fmt(latencyMs.p99()), fmt(latencyMs.p999()), fmt(latencyMs.max())));
        md.append("| worst 1-s window p99 (ms) | %s |\n".formatted(fmt(worstWindowP99Ms)));
        md.append("| load generator's max dispatch lag (ms) | %s |\n".formatted(fmt(maxDispatchLagMs)));
        md.append("| coordinator CPU, ms per second (µs per report) | %s (%s) |\n".formatted(fmt(coordinatorCpuMsPerSecond),
                fmt(coordinatorCpuMicrosPerReport)));
        md.append("| coordinator RSS max (MB; with warm-up) | %s (%s) |\n".formatted(fmt(rssMb.max()), fmt(rssMb.maxWithWarmup())));
        md.append("\n## Targets\n\n| target | wanted | measured | met |\n|---|---|---|---|\n");
        for (Target t : targets) {
            md.append("| %s | %s | %s | %s |\n".formatted(t.name(), t.target(), t.measured(), t.met() ? "yes" : "**no**"));
        }
        md.append("\n## Worst seconds (by p99)\n\n| second | ok | p99 (ms) | max (ms) | RSS (MB) |\n|---|---|---|---|---|\n");
        windows.stream().sorted(Comparator.comparingDouble(Window::p99Ms).reversed()).limit(5).forEach(w ->
                md.append("| %d | %d | %s | %s | %s |\n".formatted(w.second(), w.ok(), fmt(w.p99Ms()), fmt(w.maxMs()), fmt(w.rssMb()))));
        return md.toString();
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), toJson());
            Files.writeString(dir.resolve("report.md"), toMarkdown());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
