package dev.baton.orchestrator.haproxy;

import dev.baton.wire.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A second set of holder connections, owned by a small process of their own, so that a hold
 * survives the coordinator holding it. {@link HolderConnection}s close with the JVM: when a
 * coordinator died mid-switchover, HAProxy then passed its queue one connection at a time to the
 * fenced primary, and checkouts got read-only errors until the next leader took over (bench
 * leader-kill: 32 of them in one kill). This process ({@code bash}'s {@code /dev/tcp}, then
 * {@code sleep}) holds one connection per frontend for at most {@code lifetime}, long enough for a
 * takeover; the switchover ends it by its PID as soon as it releases writes or rolls back. When the
 * coordinator is killed it outlives it by at most that long, then ends on its own (and MariaDB's
 * {@code connect_timeout} ends the connections it holds after 10 s anyway).
 */
public final class HoldGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoldGuard.class);
    /** Two ZooKeeper session timeouts and a reconcile, with room to spare. */
    public static final Duration LIFETIME = Duration.ofSeconds(15);

    private final Process process;
    private final int connections;

    private HoldGuard(Process process, int connections) {
        this.process = process;
        this.connections = connections;
    }

    /**
     * Starts the process and returns once each connection was greeted through its frontend (so each is counted by
     * HAProxy), or throws naming what failed.
     */
    public static HoldGuard open(List<Endpoint> frontends, Duration timeout) {
        if (frontends.isEmpty()) throw new IllegalArgumentException("a hold guard needs at least one frontend");
        StringBuilder script = new StringBuilder("export LC_ALL=C\nexec");
        for (int i = 0; i < frontends.size(); i++) {
            Endpoint f = frontends.get(i);
            script.append(' ').append(i + 3).append("<>/dev/tcp/").append(f.host()).append('/').append(f.port());
        }
        script.append(" || exit 1\n");
        // The greeting's start, read with bash's own read (no process per connection): it drops NUL bytes, so the first
        // 5 bytes it keeps of a handshake hold protocol version 10, a newline; an error packet (0xff) has none.
        long waitSeconds = Math.max(1, timeout.toSeconds());
        for (int i = 0; i < frontends.size(); i++) {
            script.append("read -r -t ").append(waitSeconds).append(" -N 5 -u ").append(i + 3)
                    .append(" g && [[ $g == *$'\\n'* ]] || exit 2\n");
        }
        script.append("echo held\nexec sleep ").append(LIFETIME.toSeconds()).append('\n');
        Process process;
        try {
            process = new ProcessBuilder("bash", "-c", script.toString()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new HaproxyException("cannot start the hold guard (bash): " + e.getMessage(), e);
        }
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                return "unreadable: " + e.getMessage();
            }
        }, task -> Thread.ofVirtual().start(task));
        String line;
        try {
            line = firstLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new HaproxyException("the hold guard did not hold " + frontends + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HaproxyException("interrupted while the hold guard connected", e);
        } catch (ExecutionException e) {
            process.destroyForcibly();
            throw new HaproxyException("the hold guard failed: " + e.getCause(), e.getCause());
        }
        if (!"held".equals(line)) {
            process.destroyForcibly();
            throw new HaproxyException("the hold guard could not hold " + frontends + ": " + (line.isBlank()
                    ? "a connection failed or was not greeted by a MySQL server" : line));
        }
        return new HoldGuard(process, frontends.size());
    }

    /** How many connections it holds. */
    public int connections() {
        return connections;
    }

    public long pid() {
        return process.pid();
    }

    /** Ends the process by its PID; its connections close with it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) LOG.warn("hold guard {} still running 2 s after SIGKILL", process.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
