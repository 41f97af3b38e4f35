package dev.baton.chaos.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two callers of up/down on one lab dir at once. */
class LabLockTest {
    @TempDir
    Path dir;

    @Test
    void twoConcurrentUpsBuildOneLab() throws Exception {
        LabSpec spec = new LabSpec(dir.resolve("lab"), List.of("east", "west"), 1, 0, false);
        CountDownLatch go = new CountDownLatch(1);
        List<Lab> labs = List.of();
        try (ExecutorService two = Executors.newFixedThreadPool(2)) {
            List<CompletableFuture<Lab>> ups = List.of(1, 2).stream().map(i -> CompletableFuture.supplyAsync(() -> {
                awaitQuietly(go);
                return Lab.up(spec);
            }, two)).toList();
            go.countDown();
            labs = ups.stream().map(CompletableFuture::join).toList();
            Lab first = labs.get(0);
            Lab second = labs.get(1);
            assertThat(second.topology()).isEqualTo(first.topology());
            assertThat(second.pidOf("mariadb s1-east")).isEqualTo(first.pidOf("mariadb s1-east"));
            // Had both built it, the state would list each process twice, or the loser's up would have failed on ports.
            List<String> names = Lab.attach(spec.dir()).orElseThrow().status().processes().stream()
                    .map(LabStatus.Entry::name).toList();
            assertThat(names).doesNotHaveDuplicates().contains("mariadb s1-east", "mariadb s1-west", "pdns");
        } finally {
            if (!labs.isEmpty()) labs.getFirst().down();
            else Lab.attach(spec.dir()).ifPresent(Lab::down);
        }
    }

    @Test
    void upWhileAnotherProcessHoldsTheDirIsRefusedNamingItAndStartsNothing() throws Exception {
        Path labDir = dir.resolve("held");
        Process holder = new ProcessBuilder(Java.binary(), "-cp", Java.classpath(), HoldDirLock.class.getName(),
                labDir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            LabSpec spec = new LabSpec(labDir, List.of("east"), 1, 0, false);
            long started = System.nanoTime();
            assertThatThrownBy(() -> Lab.up(spec, Duration.ofMillis(500)))
                    .isInstanceOf(LabException.class)
                    .hasMessageContaining(labDir.toString()).hasMessageContaining("busy");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThat(Files.exists(labDir.resolve(LabState.FILE))).isFalse();
            assertThat(Lab.attach(labDir)).isEmpty();
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        // Once the holder is gone, the lock is free again.
        try (Lab lab = Lab.up(new LabSpec(labDir, List.of("east"), 1, 0, false), Duration.ofSeconds(5))) {
            assertThat(lab.status().allRunning()).isTrue();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
