package dev.baton.chaos.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A starting server is called dead only when it is: its PID gone, a zombie, or another command. */
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
        assertThat(Processes.howGone(pid)).isIn("pid " + pid + " no longer exists", "pid " + pid + " is a zombie (exited, not yet reaped)");
    }

    @Test
    void aPidThatDoesNotExistIsGone() {
        assertThat(Processes.gone(Integer.MAX_VALUE, dir + "/")).isTrue();
    }
}
