package dev.baton.agents.probe;

import dev.baton.wire.Endpoint;
import dev.baton.wire.HaproxyPrompt;
import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.Probe;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.List;

/**
 * Reads {@code show servers state} from a DC's HAProxy runtime API (TCP). The connection is kept in
 * interactive ("prompt") mode between rounds, as {@link MariaDbProber} keeps its own: a new TCP
 * connection every second (connect, accept, close on both sides) was the most expensive of an idle
 * agent's probes. Any error drops it; it is replaced every {@link MariaDbProber#RECONNECT_EVERY}
 * anyway, so that an HAProxy that stopped accepting connections shows within that time. A kept
 * connection that HAProxy closed while idle ({@code stats timeout}) is replaced at once, in the round.
 */
public final class HaproxyProber implements Prober, AutoCloseable {
    // srv_admin_state bits (HAProxy's SRV_ADMF_*): forced, inherited, config, resolver and DNS maintenance; forced and inherited drain.
    private static final int MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
    private static final int DRAIN = 0x08 | 0x10;
    private static final String[] OPERATIONAL = {"STOPPED", "STARTING", "RUNNING", "STOPPING"};
    private static final byte[] SHOW = "show servers state\n".getBytes(StandardCharsets.US_ASCII);

    private final String dc;
    private final Endpoint runtime;
    private final int timeoutMs;
    /** A round that overran the agent's interval may still run when the next starts: they must not share the connection. */
    private final ReentrantLock running = new ReentrantLock();
    private Socket socket;
    private InputStream in;
    private long connectedAt;

    public HaproxyProber(String dc, Endpoint runtime, Duration timeout) {
        this.dc = dc;
        this.runtime = runtime;
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
    }

    @Override
    public HaproxyProbe run() {
        long started = System.nanoTime();
        if (!running.tryLock()) {
            return new HaproxyProbe(dc, runtime, false, List.of(), Elapsed.millisSince(started), "HAProxy runtime API of "
                    + dc + " at " + runtime + ": the previous round's question has not been answered yet");
        }
        try {
            String answer;
            try {
                boolean kept = socket != null && System.nanoTime() - connectedAt < MariaDbProber.RECONNECT_EVERY.toNanos();
                if (!kept) reconnect();
                try {
                    answer = ask(SHOW);
                } catch (IOException e) {
                    if (!kept) throw e;
                    reconnect(); // the kept connection had been closed while idle: one new one, in this round
                    answer = ask(SHOW);
                }
            } catch (IOException | RuntimeException e) {
                drop();
                return new HaproxyProbe(dc, runtime, false, List.of(), Elapsed.millisSince(started),
                        "HAProxy runtime API of " + dc + " at " + runtime + ": " + Elapsed.describe(e));
            }
            try {
                return new HaproxyProbe(dc, runtime, true, parse(answer), Elapsed.millisSince(started), null);
            } catch (RuntimeException e) {
                return new HaproxyProbe(dc, runtime, false, List.of(), Elapsed.millisSince(started),
                        "HAProxy runtime API of " + dc + " at " + runtime + ": " + Elapsed.describe(e));
            }
        } finally {
            running.unlock();
        }
    }

    @Override
    public Probe failed(String error) {
        return new HaproxyProbe(dc, runtime, false, List.of(), timeoutMs, "HAProxy runtime API of " + dc + " at "
                + runtime + ": " + error);
    }

    @Override
    public void close() {
        running.lock();
        try {
            drop();
        } finally {
            running.unlock();
        }
    }

    private void reconnect() throws IOException {
        drop();
        Socket fresh = new Socket();
        try {
            fresh.setTcpNoDelay(true);
            fresh.connect(new InetSocketAddress(runtime.host(), runtime.port()), timeoutMs);
            fresh.setSoTimeout(timeoutMs);
            socket = fresh;
            in = new BufferedInputStream(fresh.getInputStream());
            connectedAt = System.nanoTime();
            ask(HaproxyPrompt.ENTER.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            drop();
            fresh.close();
            throw e;
        }
    }

    /** Sends one command and reads its answer. */
    private String ask(byte[] command) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(command);
        out.flush();
        String answer = HaproxyPrompt.readAnswer(in);
        if (answer == null) throw new IOException("HAProxy closed the connection before its answer ended");
        return answer;
    }

    private void drop() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Broken already, or going anyway.
        }
        socket = null;
        in = null;
    }

    /**
     * The answer is a version line, a header line starting with {@code #} that names the columns,
     * then one line per server; columns are found by name, not position, as versions add some.
     */
    static List<HaproxyProbe.Server> parse(String answer) {
        List<String> lines = answer.lines().filter(l -> !l.isBlank()).toList();
        List<String> header = lines.stream().filter(l -> l.startsWith("#")).findFirst()
                .map(l -> Arrays.asList(l.substring(1).trim().split("\\s+")))
                .orElseThrow(() -> new IllegalStateException("no column header in 'show servers state': " + answer.strip()));
        int backend = column(header, "be_name");
        int name = column(header, "srv_name");
        int address = column(header, "srv_addr");
        int port = column(header, "srv_port");
        int op = column(header, "srv_op_state");
        int admin = column(header, "srv_admin_state");
        List<HaproxyProbe.Server> servers = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("#") || !Character.isDigit(line.charAt(0)) || line.indexOf(' ') < 0) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length < header.size()) continue;
            servers.add(new HaproxyProbe.Server(f[backend], f[name], f[address], Integer.parseInt(f[port]),
                    state(Integer.parseInt(f[op]), Integer.parseInt(f[admin]))));
        }
        return servers;
    }

    private static String state(int operational, int adminFlags) {
        if ((adminFlags & MAINT) != 0) return "MAINT";
        if ((adminFlags & DRAIN) != 0) return "DRAIN";
        return operational >= 0 && operational < OPERATIONAL.length ? OPERATIONAL[operational] : "UNKNOWN(" + operational + ")";
    }

    private static int column(List<String> header, String name) {
        int index = header.indexOf(name);
        if (index < 0) throw new IllegalStateException("'show servers state' has no column " + name + "; columns: " + header);
        return index;
    }
}
