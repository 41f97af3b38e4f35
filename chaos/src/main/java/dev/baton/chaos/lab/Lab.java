package dev.baton.chaos.lab;

import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A multi-DC world of real servers on loopback: per shard a MariaDB primary in the first DC and a
 * replica in every other, an HAProxy per DC, one PowerDNS, one ZooKeeper, and its {@link StandIns} for
 * Consul and the notification receivers. The processes outlive the JVM that started them;
 * {@code dir/lab.json} records them so another JVM can attach and stop them.
 */
public final class Lab implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lab.class);
    static final String TOPOLOGY_FILE = "topology.json";
    static final String CHECKOUT_MAIN = "dev.baton.chaos.workload.CheckoutMain";
    private static final Duration STAND_INS_START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PORT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Long enough for a concurrent 2x8 {@code up} to finish, so the second caller then attaches to its lab. */
    static final int LIVE_TIMEOUT_MS = 1000;
    static final Duration LOCK_WAIT = Duration.ofSeconds(30);

    private final LabSpec spec;
    private final Topology topology;
    /** Null only in a lab recorded before the lab had stand-ins. */
    private final StandIns standIns;
    /** Every command of a lab process mentions a path under the lab dir: that is how a PID is recognised as ours. */
    private final String marker;
    private final List<LabProcess> processes;

    private Lab(LabSpec spec, Topology topology, StandIns standIns, List<LabProcess> processes) {
        this.spec = spec;
        this.topology = topology;
        this.standIns = standIns;
        this.marker = spec.dir() + "/";
        this.processes = new ArrayList<>(processes);
    }

    /**
     * Brings the lab up, or returns the one already running in {@code spec.dir()} with the same spec.
     * A lab running there with another spec, or only partly running, is refused; a lab whose
     * processes are all gone (a reboot) is rebuilt from scratch. A concurrent {@code up} or
     * {@code down} on the same dir (this JVM or another) is waited for, up to {@link #LOCK_WAIT}.
     */
    public static Lab up(LabSpec spec) {
        return up(spec, LOCK_WAIT);
    }

    static Lab up(LabSpec spec, Duration lockWait) {
        Binaries.requireInstalled();
        try (DirLock ignored = DirLock.acquire(spec.dir(), lockWait)) {
            return upLocked(spec);
        }
    }

    private static Lab upLocked(LabSpec spec) {
        Optional<Lab> existing = attach(spec.dir());
        if (existing.isPresent()) {
            Lab lab = existing.get();
            LabStatus status = lab.status();
            if (status.allRunning()) {
                if (!lab.spec.equals(spec)) {
                    throw new LabException("lab in " + spec.dir() + " is already running with " + describe(lab.spec)
                            + " (asked for " + describe(spec) + "); run `baton lab down` first");
                }
                return lab;
            }
            if (status.processes().stream().anyMatch(LabStatus.Entry::running)) {
                throw new LabException("lab in " + spec.dir() + " is partly down; dead: " + status.dead().stream()
                        .map(e -> e.name() + " (pid " + e.pid() + ")").collect(Collectors.joining(", "))
                        + "; run `baton lab down` first");
            }
            LOG.info("lab in {}: every recorded process is gone; building it again", spec.dir());
            lab.down();
        }
        long started = System.nanoTime();
        Layout.Planned planned = Layout.plan(spec);
        Lab lab = new Lab(spec, planned.topology(), planned.standIns(), List.of());
        try {
            lab.bringUp();
        } catch (RuntimeException e) {
            try {
                lab.down();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        LOG.info("lab up in {} ms: {} DCs x {} shards in {}", (System.nanoTime() - started) / 1_000_000,
                spec.dcs().size(), spec.shards(), spec.dir());
        return lab;
    }

    /** The lab recorded in {@code dir}, running or not (see {@link #status()}); empty when there is none. */
    public static Optional<Lab> attach(Path dir) {
        Path normalized = dir.toAbsolutePath().normalize();
        return LabState.read(normalized).map(state -> {
            Path topologyFile = normalized.resolve(TOPOLOGY_FILE);
            if (!Files.isRegularFile(topologyFile)) {
                throw new LabException("lab state in " + normalized + " has no " + TOPOLOGY_FILE + "; run `baton lab down` first");
            }
            return new Lab(state.spec(), Topology.read(topologyFile), state.standIns(), state.processes());
        });
    }

    public LabSpec spec() {
        return spec;
    }

    public Topology topology() {
        return topology;
    }

    public Path topologyFile() {
        return spec.dir().resolve(TOPOLOGY_FILE);
    }

    /** The Consul stand-in and the notification sink; empty for a lab recorded before the lab had them. */
    public Optional<StandIns> standIns() {
        return Optional.ofNullable(standIns);
    }

    /**
     * Which processes run, and what every MariaDB server says it is now: all servers are asked in
     * parallel, each bounded by {@link #LIVE_TIMEOUT_MS}, so a dead or hung one costs about a second.
     */
    public LabStatus status() {
        List<LabStatus.Entry> entries;
        synchronized (this) {
            entries = processes.stream()
                    .map(p -> new LabStatus.Entry(p.name(), p.pid(), p.endpoint(), Processes.isOurs(p.pid(), marker)))
                    .toList();
        }
        List<ServerState> servers;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ServerState>> asked = topology.shards().stream().flatMap(s -> s.servers().stream())
                    .map(server -> executor.submit(() -> MariaDb.liveState(server, topology.credentials(), LIVE_TIMEOUT_MS)))
                    .toList();
            servers = asked.stream().map(Lab::result).toList();
        }
        return new LabStatus(spec.dir(), topology, standIns, entries, servers);
    }

    /** Every process the lab in {@code dir} has started so far, as its state file says (empty before the first). */
    public static List<LabProcess> recordedProcesses(Path dir) {
        return LabState.read(dir.toAbsolutePath().normalize()).map(LabState::processes).orElse(List.of());
    }

    /** When the state file of the lab in {@code dir} last changed (a process started), in ms; 0 when there is none. */
    public static long stateModified(Path dir) {
        return dir.toAbsolutePath().normalize().resolve(LabState.FILE).toFile().lastModified();
    }

    /** Every process this lab started or adopted, as it knows them now (a restarted one under its new PID). */
    public synchronized List<LabProcess> processes() {
        return List.copyOf(processes);
    }

    /** Which processes run, without asking the databases anything (see {@link #status()} for that). */
    public List<LabStatus.Entry> processStates() {
        List<LabProcess> all;
        synchronized (this) {
            all = List.copyOf(processes);
        }
        return all.stream().map(p -> new LabStatus.Entry(p.name(), p.pid(), p.endpoint(), Processes.isOurs(p.pid(), marker))).toList();
    }

    /** The PID of a lab process by its name, e.g. {@code mariadb s1-east}, {@code haproxy east}, {@code pdns}. */
    public synchronized long pidOf(String processName) {
        return process(processName).pid();
    }

    /** SIGKILL one mariadbd, for fault injection. */
    public void kill(String serverId) {
        killProcess(mariadbName(server(serverId).id()));
    }

    /**
     * SIGKILL any lab process by its name (see {@link #pidOf}), e.g. a DC's {@code haproxy west}
     * or {@code checkout west}, to take a whole DC out. Only mariadbd comes back with {@link #start}.
     */
    public void killProcess(String processName) {
        LabProcess process;
        synchronized (this) {
            process = process(processName);
        }
        Processes.kill(process.pid(), marker);
    }

    /**
     * Starts a killed mariadbd again with the same datadir and port. It comes back fenced
     * (read_only, semi-sync master off) whatever its role was; a replica resumes replicating.
     */
    public void start(String serverId) {
        LabProcess old;
        synchronized (this) {
            old = process(mariadbName(server(serverId).id()));
        }
        if (Processes.isOurs(old.pid(), marker)) return;
        Ports.requireFree(old.endpoint().host(), old.endpoint().port(), false);
        LabProcess restarted = old.withPid(Processes.spawn(old.command(), old.log(), marker));
        synchronized (this) {
            processes.replaceAll(p -> p.name().equals(old.name()) ? restarted : p);
            saveState();
        }
        MariaDb.awaitReady(restarted, topology.credentials(), marker);
    }

    /**
     * Stops every process of the lab by PID (TERM, then KILL after a grace), checks every lab port
     * is closed, and removes the datadirs and the state file. Waits for a concurrent {@code up} or
     * {@code down} on the same dir, like {@link #up}.
     */
    public void down() {
        down(LOCK_WAIT);
    }

    void down(Duration lockWait) {
        try (DirLock ignored = DirLock.acquire(spec.dir(), lockWait)) {
            downLocked();
        }
    }

    private void downLocked() {
        List<LabProcess> toStop;
        synchronized (this) {
            toStop = List.copyOf(processes);
        }
        inParallel(toStop.stream().<Runnable>map(p -> () -> Processes.stop(p.pid(), marker)).toList());
        long deadline = System.nanoTime() + PORT_CLOSE_TIMEOUT.toNanos();
        List<Endpoint> open = Stream.concat(toStop.stream().map(LabProcess::endpoint).filter(Objects::nonNull),
                // The stand-ins' JVM serves two ports; its process record names only the first.
                standIns().stream().map(StandIns::notifications)).toList();
        while (!(open = open.stream().filter(e -> Ports.isListening(e.host(), e.port())).toList()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new LabException("lab in " + spec.dir() + " stopped its processes but these ports are still open: " + open);
            }
            Processes.sleep(50);
        }
        // The datadirs are hundreds of MB for a big lab; logs and configs stay for a post-mortem.
        inParallel(topology.shards().stream().flatMap(s -> s.servers().stream())
                .<Runnable>map(s -> () -> MariaDb.deleteData(spec.dir().resolve("mariadb").resolve(s.id()))).toList());
        MariaDb.memoryRoot(spec.dir()).ifPresent(Lab::deleteTree);
        synchronized (this) {
            processes.clear();
            try {
                Files.deleteIfExists(spec.dir().resolve(LabState.FILE));
                Files.deleteIfExists(topologyFile());
            } catch (IOException e) {
                throw new LabException("cannot remove the lab state in " + spec.dir() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        down();
    }

    private void bringUp() {
        Path dir = spec.dir();
        MariaDb.memoryRoot(dir).ifPresent(Lab::deleteTree);
        for (String part : List.of("mariadb", "haproxy", "pdns", "zookeeper", "checkout", "services", "stand-ins")) {
            deleteTree(dir.resolve(part));
        }
        deleteTree(standIns.notificationsFile());
        topology.write(topologyFile());
        saveState();
        long started = System.nanoTime();
        Path template = MariaDb.template(topology.credentials());
        long templateReady = System.nanoTime();

        // Everything starts at once and each part waits only for what it needs.
        List<Runnable> parts = new ArrayList<>();
        parts.add(() -> {
            Endpoint zk = topology.zookeeper();
            LabProcess zookeeper = launch("zookeeper", ZooKeeper.prepare(zk, dir.resolve("zookeeper")), zk,
                    dir.resolve("zookeeper/zookeeper.log"), false);
            ZooKeeper.awaitReady(zookeeper, marker);
        });
        parts.add(() -> {
            Path home = dir.resolve("pdns");
            LabProcess pdns = launch("pdns", PowerDns.prepare(topology.dns(), home), topology.dns().server(),
                    home.resolve("pdns.log"), true);
            PowerDns.awaitReady(pdns, topology.dns(), marker);
            String firstDc = topology.datacenters().getFirst().address();
            PowerDns.createZone(topology.dns(), firstDc);
            PowerDns.allowSignedUpdates(topology.dns());
            PowerDns.awaitAnswer(topology.dns(), firstDc);
        });
        parts.add(this::startStandIns);
        topology.datacenters().forEach(dc -> parts.add(() -> {
            Path home = dir.resolve("haproxy");
            LabProcess haproxy = launch("haproxy " + dc.name(), Haproxy.prepare(topology, dc, home), dc.haproxyRuntime(),
                    home.resolve(dc.name() + ".log"), false);
            Haproxy.awaitReady(haproxy, marker);
        }));
        topology.shards().forEach(shard -> parts.add(() -> {
            inParallel(shard.servers().stream().<Runnable>map(server -> () -> startDatabase(shard, server, template)).toList());
            // Semi-sync goes on before the replicas connect, so each replica registers as a semi-sync one.
            DbServer primary = shard.recordedPrimary().orElseThrow();
            MariaDb.makePrimary(primary, topology.credentials());
            List<DbServer> replicas = shard.servers().stream().filter(s -> s != primary).toList();
            replicas.forEach(r -> MariaDb.makeReplica(r, primary, topology.credentials()));
            replicas.forEach(r -> MariaDb.awaitReplicating(r, topology.credentials(), REPLICATION_TIMEOUT));
        }));
        inParallel(parts);
        LOG.info("lab phases: template {} ms, servers and services ready {} ms", (templateReady - started) / 1_000_000,
                (System.nanoTime() - templateReady) / 1_000_000);

        if (spec.startCheckoutApps()) startCheckoutApps();
    }

    private void startDatabase(Shard shard, DbServer server, Path template) {
        Path home = spec.dir().resolve("mariadb").resolve(server.id());
        int dcIndex = spec.dcs().indexOf(server.dc());
        List<String> command = MariaDb.prepare(server, home, template, MariaDb.memoryRoot(spec.dir()), (shard.index() + 1) * 100 + dcIndex + 1,
                dcIndex, spec.dcs().size());
        LabProcess process = launch(mariadbName(server.id()), command, server.endpoint(), home.resolve("mariadbd.out"), false);
        MariaDb.awaitReady(process, topology.credentials(), marker);
    }

    /** One small JVM: its ports are this lab's, so {@code down} frees them like any server's. */
    private void startStandIns() {
        Ports.requireFree(standIns.notifications().host(), standIns.notifications().port(), false);
        List<String> command = new ArrayList<>(List.of(Java.binary()));
        command.addAll(JvmOptions.of(JvmOptions.Kind.STAND_INS));
        command.addAll(List.of("-cp", Java.classpath(), StandIns.MAIN, "--consul", standIns.consul().toString(),
                "--notify", standIns.notifications().toString(), "--notifications", standIns.notificationsFile().toString()));
        LabProcess process = launch(StandIns.PROCESS, command,
                standIns.consul(), spec.dir().resolve("stand-ins/stand-ins.log"), false);
        awaitListening(process, process.endpoint(), STAND_INS_START_TIMEOUT);
        awaitListening(process, standIns.notifications(), STAND_INS_START_TIMEOUT);
    }

    private void startCheckoutApps() {
        if (!Java.hasClass(CHECKOUT_MAIN)) {
            LOG.warn("{} is not on the classpath; the lab runs without checkout apps", CHECKOUT_MAIN);
            return;
        }
        List<LabProcess> apps = topology.datacenters().stream().map(dc -> launch("checkout " + dc.name(),
                Stream.of(List.of(Java.binary()), JvmOptions.of(JvmOptions.Kind.CHECKOUT), List.of("-cp", Java.classpath(), CHECKOUT_MAIN,
                        "--topology", topologyFile().toString(), "--dc", dc.name())).flatMap(List::stream).toList(),
                dc.checkoutApp(), spec.dir().resolve("checkout").resolve(dc.name() + ".log"), false)).toList();
        inParallel(apps.stream().<Runnable>map(app -> () -> awaitListening(app, app.endpoint(), Duration.ofSeconds(60))).toList());
    }

    private void awaitListening(LabProcess process, Endpoint endpoint, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Ports.isListening(endpoint.host(), endpoint.port())) {
            if (Processes.gone(process.pid(), marker)) {
                throw Processes.exitedWhileStarting(process.name(), process.pid(), process.log());
            }
            if (System.nanoTime() > deadline) {
                throw new LabException(process.name() + " did not listen on " + endpoint + " within "
                        + timeout.toSeconds() + " s (log: " + process.log() + ")");
            }
            Processes.sleep(50);
        }
    }

    /**
     * Runs a command as part of the lab, e.g. a coordinator or an agent: started in its own session
     * with its log in {@code dir/services/}, recorded in lab.json, listed by {@link #status()} and
     * stopped by {@link #down()} like every other lab process. The lab knows nothing of what it runs.
     * A running process of that name is returned as is; a dead one is replaced.
     *
     * @param command  must mention a path under the lab dir (e.g. its config file): that is how
     *                 the lab recognises the PID as its own
     * @param endpoint the port it serves, checked free before the start and closed after down; null when it serves none
     */
    public LabProcess adopt(String name, List<String> command, Endpoint endpoint) {
        if (command.stream().noneMatch(arg -> arg.contains(marker))) {
            throw new LabException("cannot adopt '" + name + "' into the lab in " + spec.dir()
                    + ": its command mentions no path under the lab dir, so its PID could not be told from a stranger's: " + command);
        }
        synchronized (this) {
            Optional<LabProcess> known = processes.stream().filter(p -> p.name().equals(name)).findFirst();
            if (known.isPresent() && Processes.isOurs(known.get().pid(), marker)) return known.get();
            known.ifPresent(processes::remove);
        }
        return launch(name, command, endpoint, spec.dir().resolve("services").resolve(name.replace(' ', '-') + ".log"), false);
    }

    /** Re-checks the port just before starting (something may have taken it since planning), then records the PID. */
    private LabProcess launch(String name, List<String> command, Endpoint endpoint, Path log, boolean udp) {
        if (endpoint != null) Ports.requireFree(endpoint.host(), endpoint.port(), udp);
        LabProcess process = new LabProcess(name, Processes.spawn(command, log, marker), command, endpoint, log);
        synchronized (this) {
            processes.add(process);
            saveState();
        }
        return process;
    }

    private synchronized void saveState() {
        new LabState(spec, processes, standIns).write();
    }

    private LabProcess process(String name) {
        return processes.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new LabException("lab in " + spec.dir() + " has no process '" + name + "'; it has: "
                        + processes.stream().map(LabProcess::name).collect(Collectors.joining(", "))));
    }

    private DbServer server(String serverId) {
        return topology.shards().stream().flatMap(s -> s.servers().stream()).filter(s -> s.id().equals(serverId))
                .findFirst().orElseThrow(() -> new LabException("lab in " + spec.dir() + " has no database server '"
                        + serverId + "'"));
    }

    private static String mariadbName(String serverId) {
        return "mariadb " + serverId;
    }

    private static String describe(LabSpec spec) {
        return "dcs=" + String.join(",", spec.dcs()) + " shards=" + spec.shards() + " basePort=" + spec.basePort()
                + " checkoutApps=" + spec.startCheckoutApps();
    }

    /** Runs the tasks on virtual threads and rethrows the first failure (the others as suppressed). */
    private static void inParallel(List<Runnable> tasks) {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = tasks.stream().<Future<?>>map(executor::submit).toList();
            RuntimeException failure = null;
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                            : new LabException(e.getCause().getMessage(), e.getCause());
                    if (failure == null) failure = cause;
                    else failure.addSuppressed(cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LabException("interrupted", e);
                }
            }
            if (failure != null) throw failure;
        }
    }

    private static <T> T result(Future<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new LabException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + root + ": " + e.getMessage(), e);
        }
    }
}
