package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The ingest bench end to end at a small rate: lab, coordinator in its own JVM, reports accepted, report written, all stopped. */
class BenchIngestTest {

    @Test
    void smallBenchWritesAReportOtherToolsCanRead(@TempDir Path out) throws Exception {
        MainTest.Run r = MainTest.run("bench", "ingest", "--agents", "6", "--rate", "50", "--seconds", "3", "--warmup-seconds", "1",
                "--shards", "1", "--out", out.toString());
        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        // Whether every target holds is this machine's speed (a cold coordinator); that the exit code says so is not.
        assertThat(report.path("targets")).isNotEmpty();
        boolean allMet = true;
        for (JsonNode target : report.path("targets")) allMet &= target.path("met").asBoolean();
        assertThat(r.code()).as(r.err() + r.out()).isEqualTo(allMet ? 0 : 1);
        assertThat(report.path("reports").path("sent").asLong()).isEqualTo(150);
        long ok = report.path("reports").path("ok").asLong();
        assertThat(ok).isPositive();
        // Every report valid, signed and in its agent's sequence: whatever got an answer was accepted (204), none refused.
        // (A cold coordinator on a busy machine may leave some unanswered within the bench's deadline: "no answer".)
        assertThat(report.path("byOutcome").path("204").asLong()).isEqualTo(ok);
        report.path("byOutcome").fieldNames().forEachRemaining(outcome -> assertThat(outcome).isIn("204", "no answer"));
        for (String field : new String[]{"p50", "p99", "p999", "max"}) {
            assertThat(report.path("latencyMs").path(field).asDouble()).as(field).isPositive();
        }
        assertThat(report.path("worstWindowP99Ms").asDouble()).isPositive();
        // The rate is what the coordinator answered in the measured seconds, so it cannot exceed what it answered at all
        // (plus the warm-up's late answers, at most the 1 s warm-up's 25 reports).
        assertThat(report.path("achievedRatePerSecond").asDouble()).isPositive().isLessThanOrEqualTo((ok + 25) / 3.0);
        assertThat(report.path("offeredRatePerSecond").asDouble()).isPositive();
        assertThat(report.path("windows").size()).isBetween(3, 4);
        // A JVM's resident set: tens of MB at least, and read from the coordinator's /proc entry, not ours.
        assertThat(report.path("rssMb").path("max").asDouble()).isGreaterThan(30);
        assertThat(report.path("config").path("coordinatorJvmOptions").asText()).contains("-Xmx128m");
        assertThat(Files.readString(out.resolve("report.md"))).contains("| latency p50 / p99 / p99.9 / max (ms) |");
        assertThat(dev.baton.chaos.lab.Lab.attach(out.resolve("lab"))).isEmpty();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(out.resolve("lab").resolve("bench-coordinator.yaml").toString()))).isEmpty();
    }
}
