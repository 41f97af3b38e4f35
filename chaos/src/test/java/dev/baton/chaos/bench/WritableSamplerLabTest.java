package dev.baton.chaos.bench;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.chaos.workload.AdminSql;
import dev.baton.wire.DbServer;
import dev.baton.wire.Shard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sampler against real servers: a replica made writable behind everyone's back, then a primary fenced for a while. */
class WritableSamplerLabTest {
    @TempDir
    static Path dir;
    static Lab lab;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir, List.of("east", "west"), 2, 0, false));
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void seesTwoWritableServersAndAShardWithNoneOnTheServersThemselves() throws Exception {
        AdminSql sql = new AdminSql(lab.topology());
        Shard s1 = lab.topology().shard("s1").orElseThrow();
        DbServer primary = s1.recordedPrimary().orElseThrow();
        DbServer replica = s1.servers().stream().filter(s -> s != primary).findFirst().orElseThrow();

        WritableSampler sampler = new WritableSampler(lab.topology(), Duration.ofMillis(20), Duration.ofMillis(300)).start();
        WritableSampler.Result result;
        try {
            Thread.sleep(300);
            sql.execute(replica, "SET GLOBAL read_only = OFF");
            Thread.sleep(300);
            sql.execute(replica, "SET GLOBAL read_only = ON");
            Thread.sleep(200);
            sql.execute(primary, "SET GLOBAL read_only = ON");
            Thread.sleep(600);
            sql.execute(primary, "SET GLOBAL read_only = OFF");
            Thread.sleep(200);
        } finally {
            result = sampler.stop();
        }

        assertThat(result.errors()).as(result.errorSamples().toString()).isZero();
        assertThat(result.maxPerShard()).containsEntry("s1", 2).containsEntry("s2", 1);
        assertThat(result.twoWritableObserved()).isPositive();
        assertThat(result.twoWritable()).allSatisfy(t -> assertThat(t.shard()).isEqualTo("s1"))
                .first().satisfies(t -> assertThat(t.servers()).containsExactlyInAnyOrder(primary.id(), replica.id()));
        assertThat(result.longZeroSpans()).singleElement().satisfies(z -> {
            assertThat(z.shard()).isEqualTo("s1");
            assertThat(z.durationMs()).isBetween(400L, 2_000L);
            assertThat(z.open()).isFalse();
        });
        assertThat(result.zeroWritableMaxMs()).isEqualTo(result.longZeroSpans().getFirst().durationMs());
        assertThat(result.rounds()).isGreaterThan(50);
    }
}
