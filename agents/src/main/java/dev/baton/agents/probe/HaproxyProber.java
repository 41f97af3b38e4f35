package dev.baton.agents.probe;

import dev.baton.wire.Endpoint;
import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.Probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads {@code show servers state} from a DC's HAProxy runtime API (TCP). */
public final class HaproxyProber implements Prober {
    // srv_admin_state bits (HAProxy's SRV_ADMF_*): forced, inherited, config, resolver and DNS maintenance; forced and inherited drain.
    private static final int MAINT = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
    private static final int DRAIN = 0x08 | 0x10;
    private static final String[] OPERATIONAL = {"STOPPED", "STARTING", "RUNNING", "STOPPING"};

    private final String dc;
    private final Endpoint runtime;
    private final int timeoutMs;

    public HaproxyProber(String dc, Endpoint runtime, Duration timeout) {
        this.dc = dc;
        this.runtime = runtime;
        this.timeoutMs = Math.toIntExact(timeout.toMillis());
    }

    @Override
    public HaproxyProbe run() {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(runtime.host(), runtime.port()), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            OutputStream out = socket.getOutputStream();
            out.write("show servers state\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            // Non-interactive mode: HAProxy answers and closes.
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new HaproxyProbe(dc, runtime, true, parse(answer), Elapsed.millisSince(started), null);
        } catch (IOException | RuntimeException e) {
            return new HaproxyProbe(dc, runtime, false, List.of(), Elapsed.millisSince(started),
                    "HAProxy runtime API of " + dc + " at " + runtime + ": " + Elapsed.describe(e));
        }
    }

    @Override
    public Probe failed(String error) {
        return new HaproxyProbe(dc, runtime, false, List.of(), timeoutMs, "HAProxy runtime API of " + dc + " at "
                + runtime + ": " + error);
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
