package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.chaos.lab.Lab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton bench evacuate} end to end: a lab, a coordinator and an agent per DC, one round there and back. */
class EvacuationBenchTest {
    /** Kept when the test fails: the lab's and the services' logs say why. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    @AfterAll
    static void labDown() {
        Lab.attach(dir.resolve("out/lab")).ifPresent(Lab::down);
    }

    @Test
    void oneRoundThereAndBackLosesNothingAndLeavesNothingRunning() throws Exception {
        Path out = dir.resolve("out");
        MainTest.Run r = MainTest.run("bench", "evacuate", "--shards", "2", "--rate", "50", "--rounds", "1",
                "--warmup-seconds", "1", "--warmup-rounds", "0", "--settle-ms", "500", "--out", out.toString());

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(report.at("/checkouts/acknowledged").asLong()).isPositive();
        assertThat(report.at("/checkouts/failed").asLong()).isZero();
        assertThat(report.at("/checkouts/lost").asLong()).isZero();
        assertThat(report.at("/checkouts/duplicated").asLong()).isZero();
        assertThat(report.at("/evacuationWallMs/p50").asDouble()).isPositive();
        assertThat(report.at("/evacuationWallMs/max").asDouble()).isGreaterThanOrEqualTo(report.at("/evacuationWallMs/p50").asDouble());
        assertThat(report.at("/writePauseMs/p50").asDouble()).isPositive();
        assertThat(report.at("/writePauseMs/max").isNumber()).isTrue();
        assertThat(report.path("evacuations")).hasSize(2);
        report.path("evacuations").forEach(e -> assertThat(e.path("state").asText()).as(e.toString()).isEqualTo("SUCCEEDED"));
        assertThat(report.path("evacuations").get(0).path("from").asText()).isEqualTo("east");
        assertThat(report.path("evacuations").get(1).path("from").asText()).isEqualTo("west");
        assertThat(report.path("evacuations").get(0).path("writePauseMs")).hasSize(2);
        assertThat(Files.readString(out.resolve("report.md"))).contains("# Evacuation benchmark", "east -> west", "west -> east",
                "Load warm-up, to every DC in turn: 2.5 s of ramp-up, then ", "candidates catching up");
        // Warmed up by measurement, bounded by --warmup-seconds after the ramp-up, and the report says how it went.
        assertThat(report.at("/warmedUp/steady").isBoolean()).as(report.at("/warmedUp").toString()).isTrue();
        assertThat(report.at("/warmedUp/seconds").asDouble()).isPositive().isLessThan(3.0);
        report.path("evacuations").forEach(e -> assertThat(e.path("catchingUp").isInt()).as(e.toString()).isTrue());

        // The services ran inside the lab, and its down stopped them with the rest.
        Path services = out.resolve("lab/services");
        assertThat(services.resolve("coordinator-east.log")).isNotEmptyFile();
        assertThat(services.resolve("agent-west.log")).isNotEmptyFile();
        assertThat(Lab.attach(out.resolve("lab"))).isEmpty();
        String labDir = out.resolve("lab").toAbsolutePath() + "/";
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments().stream().flatMap(java.util.Arrays::stream)
                .anyMatch(a -> a.contains(labDir))).map(p -> p.pid() + " " + p.info().commandLine().orElse(""))).isEmpty();
    }
}
