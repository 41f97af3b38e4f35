package dev.baton.chaos.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A starting server is called dead only when it is: for a child of this JVM, when its {@link Process}
 * says so (with its exit code), whatever /proc shows of it; for another JVM's, its PID gone, a zombie,
 * or another command.
 */
class ProcessesTest {
    @TempDir
    Path dir;

    @Test
    void aLiveProcessOfOursIsNotGoneAndIsGoneOnceKilled() throws Exception {
        String marker = dir + "/";
        // A long-lived command whose cmdline names the lab dir, as every lab server's does.
        Path followed = Files.writeString(dir.resolve("followed"), "");
        long pid = Processes.spawn(List.of("tail", "-f", followed.toString()), dir.resolve("tail.log"), marker);
        try {
            assertThat(Processes.gone(pid, marker)).isFalse();
            assertThat(Processes.gone(pid, "/not/this/lab/")).as("a PID running another lab's command").isTrue();
        } finally {
            Processes.kill(pid, marker);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(pid, marker));
        assertThat(Processes.howGone(pid)).isEqualTo("pid " + pid + " exited with code 137 (signal 9)");
    }

    @Test
    void aChildIsJudgedByItsProcessNotByWhatProcShowsOfIt() throws Exception {
        String marker = dir + "/";
        // Its cmdline names the lab dir until it execs sleep: from then on /proc shows a command without it, as a
        // cmdline read cut short does (seen: 8192 bytes of a starting JVM's longer one, the lab dir not among them).
        Path script = Files.writeString(dir.resolve("starts.sh"), "sleep 0.3; exec sleep 2; \n");
        long pid = Processes.spawn(List.of("sh", script.toString()), dir.resolve("sh.log"), marker);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .startsWith("sleep"));
            assertThat(Processes.gone(pid, marker)).as("our child, running").isFalse();
            assertThat(Processes.isOurs(pid, marker)).isTrue();
        } finally {
            Processes.kill(pid, marker);
        }
    }

    @Test
    void aChildThatExitedWhileStartingSaysItsExitCode() throws Exception {
        String marker = dir + "/";
        Path script = Files.writeString(dir.resolve("fails.sh"), "echo cannot bind; sleep 0.3; exit 3\n");
        Path log = dir.resolve("fails.log");
        long pid = Processes.spawn(List.of("sh", script.toString()), log, marker);
        await().atMost(Duration.ofSeconds(5)).until(() -> Processes.gone(pid, marker));
        assertThat(Processes.exitedWhileStarting("fails", pid, log))
                .hasMessage("fails exited while starting (pid " + pid + " exited with code 3): cannot bind (log: " + log + ")");
    }

    @Test
    void aPidThatDoesNotExistIsGone() {
        assertThat(Processes.gone(Integer.MAX_VALUE, dir + "/")).isTrue();
    }
}
