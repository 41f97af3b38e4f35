package dev.baton.chaos.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts lab processes so they outlive the JVM that started them, and stops them by PID only
 * after checking the PID still belongs to the lab (a recycled PID is never signalled).
 * <p>
 * Whether a process lives is asked of its {@link Process} when this JVM started it: it is the
 * parent ({@code setsid} execs in place), so {@code isAlive()} and {@code exitValue()} come from
 * waitpid and are the truth. /proc is read only for a process another JVM started (a lab attached
 * from its state file), and there a cmdline read can be empty or cut short while the process
 * starts or exits: the kernel copies it out of the process's own memory, a page at a time, and
 * gives up quietly (seen: 8192 of a JVM's 13 kB, without the lab dir that comes after the classpath).
 */
final class Processes {
    private static final Duration GRACE = Duration.ofSeconds(10);

    /**
     * The processes this JVM started, by PID, with their commands: JVM-wide, like the parent-child link
     * itself, so a lab attached again in this JVM still asks its children rather than /proc.
     */
    private static final Map<Long, Child> CHILDREN = new ConcurrentHashMap<>();

    /** A process this JVM started; the command tells it from another lab's child that got a recycled PID. */
    private record Child(Process process, List<String> command) {
        boolean of(String marker) {
            return command.stream().anyMatch(arg -> arg.contains(marker));
        }
    }

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
        CHILDREN.put(process.pid(), new Child(process, full));
        // Until the JDK's spawn helper has exec'd the command, the PID's cmdline is the helper's;
        // wait for the exec so that every later isOurs check sees the real command.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cmdlineNames(process.pid(), marker)) {
            if (!process.isAlive()) {
                throw new LabException(command.getFirst() + " exited at once (" + exit(process) + "): " + tail(log, 4) + " (log: " + log + ")");
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

    /**
     * Alive and started with {@code marker} (the lab dir) in its command, so it is ours and not a recycled PID:
     * asked of the {@link Process} for a child of this JVM, else read from /proc.
     */
    static boolean isOurs(long pid, String marker) {
        Child child = CHILDREN.get(pid);
        if (child != null) return child.process().isAlive() && child.of(marker);
        return cmdlineNames(pid, marker);
    }

    /** Alive and its /proc cmdline mentions {@code marker}; an empty read is read again while the process runs. */
    private static boolean cmdlineNames(long pid, String marker) {
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
     * For the waits while a server starts: whether it has died. For a child of this JVM, exactly that
     * ({@link Process#isAlive}). For another JVM's process, from /proc: gone when the kernel says so (no
     * such process, or a zombie) or the PID runs another command; an empty read means "still starting".
     */
    static boolean gone(long pid, String marker) {
        Child child = CHILDREN.get(pid);
        if (child != null) return !child.process().isAlive() || !child.of(marker);
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

    /** Its exit code, for a child of this JVM; otherwise no such process, a zombie, or another command: what {@link #gone} saw. */
    static String howGone(long pid) {
        Child child = CHILDREN.get(pid);
        if (child != null) return child.process().isAlive() ? "pid " + pid + " still runs" : "pid " + pid + " " + exit(child.process());
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

    /** "exited with code N", naming the signal for a process a signal ended (the JDK reports 128 + signal). */
    private static String exit(Process process) {
        int code = process.exitValue();
        return "exited with code " + code + (code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "");
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
        Child child = CHILDREN.get(pid);
        if (child != null) {
            try {
                return child.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted", e);
            }
        }
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
