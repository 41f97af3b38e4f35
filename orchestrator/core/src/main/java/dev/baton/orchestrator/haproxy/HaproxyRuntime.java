package dev.baton.orchestrator.haproxy;

import dev.baton.wire.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A client of one HAProxy's runtime API over TCP. Every call opens a connection, sends its
 * commands at once and reads until HAProxy closes (about 1 ms on loopback), so there is no
 * session to keep alive and calls from many threads never interfere.
 */
public final class HaproxyRuntime {
    private static final int CONNECT_TIMEOUT_MS = 1000;
    private static final int READ_TIMEOUT_MS = 3000;
    /** In interactive ("prompt") mode every answer is followed by this prompt at the start of a line. */
    private static final Pattern PROMPT = Pattern.compile("(?m)^> ");

    private final Endpoint endpoint;

    public HaproxyRuntime(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Runs the commands in order on one connection and returns one answer per command. Prompt mode
     * is used because it separates the answers; HAProxy's plain mode runs {@code a; b} too but
     * glues their answers together, so an error could not be traced to its command.
     */
    public List<String> execute(List<String> commands) {
        StringBuilder script = new StringBuilder("prompt\n");
        for (String command : commands) {
            if (command.contains("\n") || command.contains(";")) {
                throw new IllegalArgumentException("one HAProxy command per entry, got: " + command);
            }
            script.append(command).append('\n');
        }
        script.append("quit\n");
        String raw = exchange(script.toString(), commands);
        String[] parts = PROMPT.split(raw, -1);
        // parts[0] answers "prompt"; then one part per command; "quit" answers nothing.
        if (parts.length < commands.size() + 1) {
            throw new HaproxyException("HAProxy at " + endpoint + " answered " + (parts.length - 1) + " of "
                    + commands.size() + " commands " + commands + ": " + raw.strip());
        }
        List<String> answers = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) answers.add(parts[i + 1].strip());
        return answers;
    }

    public String execute(String command) {
        return execute(List.of(command)).getFirst();
    }

    /** Points a server at another address; existing connections stay where they are. */
    public void setServerAddr(String backend, String server, String host, int port) {
        checkAddrChanged(setServerAddrCommand(backend, server, host, port),
                execute(setServerAddrCommand(backend, server, host, port)));
    }

    public void setServerMaxconn(String backend, String server, int maxconn) {
        checkEmpty(setServerMaxconnCommand(backend, server, maxconn), execute(setServerMaxconnCommand(backend, server, maxconn)));
    }

    /** Moves a server to a new address, then sets its maxconn, in one round trip and in that order. */
    public void setServerAddrAndMaxconn(String backend, String server, String host, int port, int maxconn) {
        String addr = setServerAddrCommand(backend, server, host, port);
        String limit = setServerMaxconnCommand(backend, server, maxconn);
        List<String> answers = execute(List.of(addr, limit));
        checkAddrChanged(addr, answers.get(0));
        checkEmpty(limit, answers.get(1));
    }

    /** Every server of a backend: address and states from {@code show servers state}, counters from {@code show stat}. */
    public List<ServerState> serversState(String backend) {
        String stateCommand = "show servers state " + backend;
        String statCommand = "show stat " + backend + " 4 -1";
        List<String> answers = execute(List.of(stateCommand, statCommand));
        if (!answers.get(0).startsWith("1\n# be_id")) throw refused(stateCommand, answers.get(0));
        if (!answers.get(1).startsWith("# pxname")) throw refused(statCommand, answers.get(1));
        return parseServersState(answers.get(0), answers.get(1));
    }

    public ServerState serverState(String backend, String server) {
        return serversState(backend).stream().filter(s -> s.server().equals(server)).findFirst()
                .orElseThrow(() -> new HaproxyException("HAProxy at " + endpoint + " has no server " + backend + "/" + server));
    }

    /** Joins the two outputs by server name; both list the servers of one backend. */
    static List<ServerState> parseServersState(String serversState, String stat) {
        Map<String, String[]> counters = new HashMap<>();
        List<String> statLines = stat.lines().toList();
        List<String> header = List.of(statLines.getFirst().substring(2).split(","));
        int scur = header.indexOf("scur"), qcur = header.indexOf("qcur"), slim = header.indexOf("slim");
        for (String line : statLines.subList(1, statLines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > slim) counters.put(fields[1], fields);
        }
        List<ServerState> servers = new ArrayList<>();
        for (String line : serversState.lines().skip(2).toList()) {
            if (line.isBlank()) continue;
            // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port is the 19th field
            String[] f = line.trim().split("\\s+");
            String[] c = counters.getOrDefault(f[3], new String[0]);
            servers.add(new ServerState(f[1], f[3], f[4], Integer.parseInt(f[18]), Integer.parseInt(f[5]),
                    Integer.parseInt(f[6]), number(c, scur), number(c, qcur), number(c, slim)));
        }
        return servers;
    }

    private static int number(String[] fields, int index) {
        return index >= 0 && index < fields.length && !fields[index].isEmpty() ? Integer.parseInt(fields[index]) : 0;
    }

    private static String setServerAddrCommand(String backend, String server, String host, int port) {
        return "set server " + backend + "/" + server + " addr " + host + " port " + port;
    }

    private static String setServerMaxconnCommand(String backend, String server, int maxconn) {
        return "set maxconn server " + backend + "/" + server + " " + maxconn;
    }

    /** Success reads "IP changed from ..." or "no need to change the addr ..."; anything else is an error. */
    private void checkAddrChanged(String command, String answer) {
        if (!answer.contains("changed from") && !answer.startsWith("no need to change")) throw refused(command, answer);
    }

    private void checkEmpty(String command, String answer) {
        if (!answer.isEmpty()) throw refused(command, answer);
    }

    private HaproxyException refused(String command, String answer) {
        return new HaproxyException("HAProxy at " + endpoint + " refused '" + command + "': " + answer.lines().findFirst().orElse(""));
    }

    private String exchange(String script, List<String> commands) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(script.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HaproxyException("HAProxy runtime API at " + endpoint + " failed on " + commands + ": " + e.getMessage(), e);
        }
    }
}
