package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole chain on real servers: lab, checkout load, Baton's switchovers and the baseline's, audit, report. */
class BenchSwitchoverTest {

    @Test
    void smallBenchWritesAReportOtherToolsCanRead(@TempDir Path out) throws Exception {
        MainTest.Run r = MainTest.run("bench", "switchover", "--shards", "2", "--rate", "50", "--rounds", "1",
                "--baseline-rounds", "1", "--settle-ms", "500", "--quiet-seconds", "1", "--warmup-seconds", "1", "--out", out.toString());
        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        // Whether every target holds is this machine's speed; that the exit code says so is not.
        assertThat(report.path("targets")).isNotEmpty();
        boolean allMet = true;
        for (JsonNode target : report.path("targets")) allMet &= target.path("met").asBoolean();
        assertThat(r.code()).as(r.err() + report.path("targets")).isEqualTo(allMet ? 0 : 1);
        for (JsonNode phase : new JsonNode[]{report, report.get("baseline")}) {
            for (String field : new String[]{"checkouts.failed", "checkouts.lost", "checkouts.duplicated",
                    "writePauseMs.p50", "writePauseMs.max", "switchoverWallMs.max"}) {
                String[] path = field.split("\\.");
                assertThat(phase.path(path[0]).path(path[1]).isNumber()).as(field).isTrue();
            }
        }
        assertThat(report.path("checkouts").path("acknowledged").asLong()).isPositive();
        assertThat(report.path("checkouts").path("lost").asLong()).isZero();
        assertThat(report.path("checkouts").path("duplicated").asLong()).isZero();
        assertThat(report.path("checkouts").path("failed").asLong()).isZero();
        assertThat(report.path("notSwitched").asInt()).isZero();
        assertThat(report.path("switchovers").asInt()).isEqualTo(4); // 2 shards, there and back
        // Nothing the probes measured is dropped: what no switchover's window holds is counted apart; resent checkouts are said.
        assertThat(report.path("outsideWindows").path("probeFailedWrites").isNumber()).isTrue();
        assertThat(report.path("outsideWindows").path("pooledProbeFailedWrites").isNumber()).isTrue();
        assertThat(report.path("checkouts").path("staleConnectionRetries").isNumber()).isTrue();
        assertThat(report.path("warmup").path("staleConnectionRetries").isNumber()).isTrue();
        assertThat(Files.readString(out.resolve("report.md"))).contains("| write pause per shard p50 (ms) |",
                "Warm-up (load to every DC in turn, no switchover): ", "| asked again (catching up) |");
        // Warmed up by measurement, bounded by --warmup-seconds, and the report says how it went.
        assertThat(report.at("/warmedUp/steady").isBoolean()).as(report.at("/warmedUp").toString()).isTrue();
        assertThat(report.at("/warmedUp/seconds").asDouble()).isPositive().isLessThan(3.0);
        report.path("rounds").forEach(round -> assertThat(round.path("catchUpRetries").isInt()).as(round.toString()).isTrue());
        // The bench takes its own lab down.
        assertThat(dev.baton.chaos.lab.Lab.attach(out.resolve("lab"))).isEmpty();
    }
}
