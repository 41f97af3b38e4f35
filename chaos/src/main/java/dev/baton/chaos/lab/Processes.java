package dev.baton.chaos.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts lab processes so they outlive the JVM that started them, and stops them by PID only
 * after checking the PID still belongs to the lab (a recycled PID is never signalled).
 */
final class Processes {
    private static final Duration GRACE = Duration.ofSeconds(10);

    private Processes() {
    }

    /**
     * Starts {@code command} in its own session (setsid execs in place, so the PID is the server's):
     * a Ctrl-C of the CLI that ran {@code lab up} then does not reach the lab.
     */
    static long spawn(List<String> command, Path log, String marker) {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        Process process;
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(full)
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start " + command.getFirst() + ": " + e.getMessage(), e);
        }
        // Until the JDK's spawn helper has exec'd the command, the PID's cmdline is the helper's;
        // wait for the exec so that every later isOurs check sees the real command.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!isOurs(process.pid(), marker)) {
            if (!process.isAlive()) {
                throw new LabException(command.getFirst() + " exited at once: " + tail(log, 4) + " (log: " + log + ")");
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new LabException(command.getFirst() + " did not start within 10 s (log: " + log + ")");
            }
            sleep(2);
        }
        return process.pid();
    }

    /** Runs a short command to completion; throws with its output when it fails. */
    static void run(List<String> command, Path log, Optional<Path> stdin, Duration timeout) {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            builder.redirectInput(stdin.map(Path::toFile).orElse(new File("/dev/null")));
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new LabException(command.getFirst() + " did not finish within " + timeout + "; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new LabException(command.getFirst() + " failed with exit code " + process.exitValue()
                        + ": " + tail(log, 5) + " (full log: " + log + ")");
            }
        } catch (IOException e) {
            throw new LabException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + command.getFirst(), e);
        }
    }

    /** Alive and its command line mentions {@code marker} (the lab dir), so it is ours and not a recycled PID. */
    static boolean isOurs(long pid, String marker) {
        try {
            // A live process's cmdline can read empty for a while (seen for more than 50 ms while mariadbd,
            // HAProxy or a JVM start on a loaded machine): an empty read says nothing, so read again while it runs.
            long deadline = System.nanoTime() + EMPTY_CMDLINE_PATIENCE.toNanos();
            while (true) {
                String cmdline = cmdline(pid);
                if (!cmdline.isEmpty()) return cmdline.contains(marker);
                if (!isRunning(pid) || System.nanoTime() > deadline) return false;
                sleep(10);
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static final Duration EMPTY_CMDLINE_PATIENCE = Duration.ofSeconds(2);

    /**
     * For the waits while a server starts: whether it has died. Not the opposite of {@link #isOurs}: a
     * starting server's cmdline can read empty (seen in CI: "haproxy west exited while starting" with an
     * empty log, while the process ran on). Gone only when the kernel says so (no such process, or a
     * zombie) or the PID now runs another command; an empty read means "still starting".
     */
    static boolean gone(long pid, String marker) {
        if (!isRunning(pid)) return true;
        try {
            String cmdline = cmdline(pid);
            return !cmdline.isEmpty() && !cmdline.contains(marker);
        } catch (IOException e) {
            return !isRunning(pid);
        }
    }

    /** The error for a server that {@link #gone} says died while starting: what the kernel shows of its PID, and its log. */
    static LabException exitedWhileStarting(String what, long pid, Path log) {
        return new LabException(what + " exited while starting (" + howGone(pid) + "): " + tail(log, 4) + " (log: " + log + ")");
    }

    /** No such process, a zombie, or another command: what {@link #gone} saw. */
    static String howGone(long pid) {
        try {
            if (!isRunning(pid)) {
                return Files.exists(Path.of("/proc", Long.toString(pid))) ? "pid " + pid + " is a zombie (exited, not yet reaped)"
                        : "pid " + pid + " no longer exists";
            }
            String cmdline = cmdline(pid);
            return "pid " + pid + " now runs " + (cmdline.length() > 120 ? cmdline.substring(0, 120) + "..." : cmdline);
        } catch (IOException e) {
            return "pid " + pid + " no longer exists";
        }
    }

    /** The PID's command line, arguments separated by spaces; empty when it reads empty. */
    private static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    /** SIGTERM, then SIGKILL after a grace period. Does nothing when the PID is not ours any more. */
    static void stop(long pid, String marker) {
        if (!isOurs(pid, marker)) return;
        ProcessHandle.of(pid).ifPresent(handle -> {
            handle.destroy();
            if (!awaitExit(pid, GRACE)) {
                handle.destroyForcibly();
                awaitExit(pid, Duration.ofSeconds(5));
            }
        });
    }

    /** SIGKILL, for fault injection. */
    static void kill(long pid, String marker) {
        if (!isOurs(pid, marker)) return;
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitExit(pid, Duration.ofSeconds(5));
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) return false;
            sleep(20);
        }
        return true;
    }

    /** Exists and is not a zombie waiting for its parent to reap it. */
    private static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            // "pid (comm) S ...": the state follows the last ')', as comm may contain anything.
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
