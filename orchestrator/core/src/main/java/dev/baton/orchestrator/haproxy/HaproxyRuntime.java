package dev.baton.orchestrator.haproxy;

import dev.baton.wire.Endpoint;
import dev.baton.wire.HaproxyPrompt;

import java.io.BufferedInputStream;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A client of one HAProxy's runtime API over TCP, in interactive ("prompt") mode, which separates
 * the answers of several commands sent at once (plain mode runs {@code a; b} too but glues the
 * answers together, so an error could not be traced to its command). Created with the
 * constructor, every call opens its own connection (about 1 ms on loopback); created with
 * {@link #connect}, it keeps one connection for all calls until {@link #close()}, so commands in a
 * write pause never wait for a new TCP connection (on a loaded machine a full accept queue drops
 * the SYN and the retry comes a second later).
 */
public final class HaproxyRuntime implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 3000;
    private static final int READ_TIMEOUT_MS = 3000;

    private final Endpoint endpoint;
    private final boolean keepConnection;
    /** Held from a command's send to the read of its answers, which may be separate calls (see {@link #send}). */
    private final ReentrantLock lock = new ReentrantLock();
    private Socket socket;
    private InputStream in;

    public HaproxyRuntime(Endpoint endpoint) {
        this(endpoint, false);
    }

    private HaproxyRuntime(Endpoint endpoint, boolean keepConnection) {
        this.endpoint = endpoint;
        this.keepConnection = keepConnection;
    }

    /** A runtime client that opens its connection now and keeps it until {@link #close()}. */
    public static HaproxyRuntime connect(Endpoint endpoint) {
        HaproxyRuntime runtime = new HaproxyRuntime(endpoint, true);
        runtime.lock.lock();
        try {
            runtime.open();
        } catch (IOException e) {
            throw new HaproxyException("cannot connect to the HAProxy runtime API at " + endpoint + ": " + e.getMessage(), e);
        } finally {
            runtime.lock.unlock();
        }
        return runtime;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Runs the commands in order, sent at once, and returns one answer per command. */
    public List<String> execute(List<String> commands) {
        return send(commands, answers -> answers).await();
    }

    public String execute(String command) {
        return execute(List.of(command)).getFirst();
    }

    /**
     * Sends the commands now and reads their answers when {@link Pending#await} is called, on the same thread, which
     * must call it: sent to several HAProxies first and awaited after, they cost one round trip together, without a
     * thread per HAProxy (each handoff between threads was milliseconds of a write pause on a loaded machine).
     */
    private <T> Pending<T> send(List<String> commands, Function<List<String>, T> check) {
        StringBuilder lines = new StringBuilder();
        for (String command : commands) {
            if (command.contains("\n") || command.contains(";")) {
                throw new IllegalArgumentException("one HAProxy command per entry, got: " + command);
            }
            lines.append(command).append('\n');
        }
        String script = lines.toString();
        lock.lock();
        boolean sent = false;
        if (keepConnection) {
            try {
                if (socket == null) open();
                write(script);
                sent = true;
            } catch (IOException e) {
                closeSocket(); // the await sends it again on a fresh connection
            }
        }
        return new Pending<>(commands, script, sent, check);
    }

    /**
     * Sends each item's commands ({@code send} returns a {@link Pending}), then awaits them all: one round trip for
     * every HAProxy, from this thread. Should a send itself throw, what was already sent is awaited before it is
     * rethrown, so no connection stays locked.
     */
    public static <I, T> List<T> onEach(List<I> items, Function<I, Pending<T>> send) {
        List<Pending<T>> sent = new ArrayList<>(items.size());
        try {
            for (I item : items) sent.add(send.apply(item));
        } catch (RuntimeException e) {
            try {
                awaitAll(sent);
            } catch (RuntimeException alsoFailed) {
                e.addSuppressed(alsoFailed);
            }
            throw e;
        }
        return awaitAll(sent);
    }

    /**
     * Awaits every one (so every connection is free again), in order; when any failed, throws one exception naming
     * every failure.
     */
    public static <T> List<T> awaitAll(List<Pending<T>> sent) {
        List<T> results = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (Pending<T> p : sent) {
            try {
                results.add(p.await());
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (failures.isEmpty()) return results;
        HaproxyException failed = new HaproxyException(failures.stream().map(Throwable::getMessage)
                .collect(Collectors.joining("; ")), failures.getFirst());
        failures.stream().skip(1).forEach(failed::addSuppressed);
        throw failed;
    }

    /** Commands sent to this HAProxy whose answers are still to be read; holds the connection until then. */
    public final class Pending<T> {
        private final List<String> commands;
        private final String script;
        private final boolean sent;
        private final Function<List<String>, T> check;

        private Pending(List<String> commands, String script, boolean sent, Function<List<String>, T> check) {
            this.commands = commands;
            this.script = script;
            this.sent = sent;
            this.check = check;
        }

        /** The same commands, their answers checked further: await the one returned, instead of this one. */
        public <U> Pending<U> then(Function<T, U> next) {
            return new Pending<>(commands, script, sent, check.andThen(next));
        }

        /** The checked answers; throws {@link HaproxyException} when HAProxy could not be reached or refused one. */
        public T await() {
            try {
                return check.apply(answers());
            } finally {
                lock.unlock();
            }
        }

        private List<String> answers() {
            try {
                try {
                    if (sent) return readAnswers(commands.size());
                    if (socket == null) open();
                    return exchange(script, commands.size());
                } catch (IOException e) {
                    if (!keepConnection) throw e;
                    // The kept connection may have timed out while idle ("stats timeout"); the commands here are
                    // idempotent, so one retry on a fresh connection is safe.
                    closeSocket();
                    open();
                    return exchange(script, commands.size());
                } finally {
                    if (!keepConnection) closeSocket();
                }
            } catch (IOException e) {
                closeSocket();
                throw new HaproxyException("HAProxy runtime API at " + endpoint + " failed on " + commands + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeSocket();
        } finally {
            lock.unlock();
        }
    }

    /** Points a server at another address; existing connections stay where they are. */
    public void setServerAddr(String backend, String server, String host, int port) {
        sendServerAddr(backend, server, host, port).await();
    }

    public Pending<Void> sendServerAddr(String backend, String server, String host, int port) {
        String addr = setServerAddrCommand(backend, server, host, port);
        return send(List.of(addr), answers -> {
            checkAddrChanged(addr, answers.getFirst());
            return null;
        });
    }

    public void setServerMaxconn(String backend, String server, int maxconn) {
        sendServerMaxconn(backend, server, maxconn).await();
    }

    public Pending<Void> sendServerMaxconn(String backend, String server, int maxconn) {
        String limit = setServerMaxconnCommand(backend, server, maxconn);
        return send(List.of(limit), answers -> {
            checkEmpty(limit, answers.getFirst());
            return null;
        });
    }

    /** Moves a server to a new address, then sets its maxconn, in one round trip and in that order. */
    public void setServerAddrAndMaxconn(String backend, String server, String host, int port, int maxconn) {
        sendServerAddrAndMaxconn(backend, server, host, port, maxconn).await();
    }

    public Pending<Void> sendServerAddrAndMaxconn(String backend, String server, String host, int port, int maxconn) {
        String addr = setServerAddrCommand(backend, server, host, port);
        String limit = setServerMaxconnCommand(backend, server, maxconn);
        return send(List.of(addr, limit), answers -> {
            checkAddrChanged(addr, answers.get(0));
            checkEmpty(limit, answers.get(1));
            return null;
        });
    }

    /** Every server of a backend: address and states from {@code show servers state}, counters from {@code show stat}. */
    public List<ServerState> serversState(String backend) {
        return sendServersState(backend).await();
    }

    public Pending<List<ServerState>> sendServersState(String backend) {
        String stateCommand = "show servers state " + backend;
        String statCommand = "show stat " + backend + " 4 -1";
        return send(List.of(stateCommand, statCommand), answers -> {
            if (!answers.get(0).startsWith("1\n# be_id")) throw refused(stateCommand, answers.get(0));
            if (!answers.get(1).startsWith("# pxname")) throw refused(statCommand, answers.get(1));
            return parseServersState(answers.get(0), answers.get(1));
        });
    }

    public ServerState serverState(String backend, String server) {
        return server(backend, server, serversState(backend));
    }

    /** A server of a backend, found in {@code servers}; throws naming it when HAProxy has no such server. */
    public ServerState server(String backend, String server, List<ServerState> servers) {
        return servers.stream().filter(s -> s.server().equals(server)).findFirst()
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

    private void open() throws IOException {
        Socket fresh = new Socket();
        try {
            fresh.setTcpNoDelay(true);
            fresh.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), CONNECT_TIMEOUT_MS);
            fresh.setSoTimeout(READ_TIMEOUT_MS);
            socket = fresh;
            in = new BufferedInputStream(fresh.getInputStream());
            exchange(HaproxyPrompt.ENTER, 1);
        } catch (IOException e) {
            closeSocket();
            fresh.close();
            throw e;
        }
    }

    /** Sends the script and reads one answer per command. */
    private List<String> exchange(String script, int answers) throws IOException {
        write(script);
        return readAnswers(answers);
    }

    private void write(String script) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(script.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads answers; each ends with the prompt "> " at a line start. */
    private List<String> readAnswers(int answers) throws IOException {
        List<String> result = new ArrayList<>(answers);
        while (result.size() < answers) {
            String answer = HaproxyPrompt.readAnswer(in);
            if (answer == null) throw new IOException("connection closed after " + result.size() + " of " + answers + " answers");
            result.add(answer.strip());
        }
        return result;
    }

    private void closeSocket() {
        if (socket == null) return;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to recover on a connection we are dropping.
        }
        socket = null;
        in = null;
    }
}
