package dev.baton.chaos.lab;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Jdbc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.mariadb.jdbc.MariaDbDataSource;

/** The lab's MariaDB servers: a template datadir copied per server, a fenced start, then roles set over SQL. */
final class MariaDb {
    static final String MARIADBD = "/usr/sbin/mariadbd";
    static final String INSTALL_DB = "/usr/bin/mariadb-install-db";
    /** root@'%' exists for people poking at the lab by hand; the lab itself uses the admin account. */
    static final String ROOT_PASSWORD = "root-lab";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Path TEMPLATE_CACHE = Path.of(System.getProperty("user.home"), ".cache", "baton", "mariadb-template");

    private MariaDb() {
    }

    /**
     * The template datadir, with the users and the schema already in it (install-db costs ≈0.5 s
     * and more on a busy machine; copying its result ≈0.02 s). It is shared by every lab on the
     * machine, keyed by the mariadbd version and the bootstrap SQL, and built at most once per key:
     * builders race through an atomic rename and the loser uses the winner's.
     */
    static Path template(Credentials credentials) {
        String sql = Templates.render("bootstrap.sql", Map.of(
                "rootPassword", ROOT_PASSWORD, "database", credentials.database(),
                "adminUser", credentials.adminUser(), "adminPassword", credentials.adminPassword(),
                "replUser", credentials.replUser(), "replPassword", credentials.replPassword(),
                "appUser", credentials.appUser(), "appPassword", credentials.appPassword()));
        Path root = TEMPLATE_CACHE.resolve(versionKey() + "-" + Integer.toHexString(sql.hashCode()));
        Path data = root.resolve("data");
        if (Files.isDirectory(data)) return data;
        Path building = root.resolve("building-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.createDirectories(building);
            Path sqlFile = building.resolve("bootstrap.sql");
            Files.writeString(sqlFile, sql);
            Processes.run(List.of(INSTALL_DB, "--no-defaults", "--datadir=" + building.resolve("data"), "--user=root",
                            "--auth-root-authentication-method=normal", "--skip-test-db",
                            "--innodb-log-file-size=8M", "--extra-file=" + sqlFile),
                    building.resolve("install-db.log"), Optional.empty(), Duration.ofSeconds(120));
            try {
                Files.move(building.resolve("data"), data, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException lostTheRace) {
                // Another lab built the same template meanwhile; theirs is as good as ours.
                if (!Files.isDirectory(data)) throw lostTheRace;
            }
            Lab.deleteTree(building);
            return data;
        } catch (IOException e) {
            throw new LabException("cannot build the MariaDB template datadir in " + root + ": " + e.getMessage(), e);
        }
    }

    private static String versionKey() {
        try {
            Process process = new ProcessBuilder(MARIADBD, "--version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            // "/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu ..."
            String[] words = out.trim().split("\\s+");
            return words.length > 2 ? words[2].replaceAll("[^A-Za-z0-9.+-]", "_") : "unknown";
        } catch (IOException e) {
            throw new LabException("cannot run " + MARIADBD + " --version: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }

    /**
     * Where a lab's server data (datadirs, binlogs, relay logs) lives: in memory, under /dev/shm, when the
     * machine has it. The lab's databases are throw-away, and on disk every write went out as direct I/O
     * (a virtio request per page: a quarter of a primary's CPU per INSERT, perf) and later as writeback;
     * a killed mariadbd keeps its files either way. Empty: on disk, in each server's home.
     */
    static Optional<Path> memoryRoot(Path labDir) {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm) || !Files.isWritable(shm)) return Optional.empty();
        return Optional.of(shm.resolve("baton-lab-" + Integer.toHexString(labDir.toAbsolutePath().normalize().toString().hashCode())));
    }

    /** Removes a server's data: {@code home/data}, and where it points when it is a link into {@link #memoryRoot}. */
    static void deleteData(Path home) {
        Path data = home.resolve("data");
        try {
            if (Files.isSymbolicLink(data)) {
                Lab.deleteTree(Files.readSymbolicLink(data));
                Files.delete(data);
            } else {
                Lab.deleteTree(data);
            }
        } catch (IOException e) {
            throw new LabException("cannot remove the data of " + home + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies the template into {@code home/data} (a link into {@code memoryRoot}/server-id when there is one)
     * and writes {@code home/my.cnf}; returns the command.
     */
    static List<String> prepare(DbServer server, Path home, Path template, Optional<Path> memoryRoot, int serverId, int dcIndex,
                                int dcCount) {
        Path socket = home.resolve("mariadbd.sock");
        if (socket.toString().length() > 100) {
            throw new LabException("lab dir path is too long for a unix socket (" + socket + "); use a shorter --dir");
        }
        Path cnf = home.resolve("my.cnf");
        try {
            Files.createDirectories(home);
            Path data = home.resolve("data");
            Path target = memoryRoot.map(root -> root.resolve(server.id())).orElse(data);
            if (memoryRoot.isPresent()) Files.createDirectories(memoryRoot.get());
            Processes.run(List.of("cp", "-a", template.toString(), target.toString()),
                    home.resolve("prepare.log"), Optional.empty(), Duration.ofSeconds(60));
            if (!target.equals(data)) Files.createSymbolicLink(data, target);
            Files.writeString(cnf, Templates.render("mariadb.cnf", Map.of(
                    "home", home, "address", server.endpoint().host(), "port", server.endpoint().port(),
                    "serverId", serverId, "autoIncrementIncrement", dcCount, "autoIncrementOffset", dcIndex + 1)));
        } catch (IOException e) {
            throw new LabException("cannot prepare " + home + " for " + server.id() + ": " + e.getMessage(), e);
        }
        return List.of(MARIADBD, "--defaults-file=" + cnf, "--user=root");
    }

    static Connection connect(Endpoint endpoint, Credentials credentials) throws SQLException {
        return admin(Jdbc.url(endpoint, credentials.database(), 1000, 10_000), credentials).getConnection();
    }

    /**
     * One data source per URL: {@code DriverManager} makes the 4.0 driver parse the URL into a configuration,
     * scanning the class path for codecs, on every connection, and a lab start-up connects many times.
     */
    private static final Map<String, MariaDbDataSource> SOURCES = new ConcurrentHashMap<>();

    private static MariaDbDataSource admin(String url, Credentials credentials) throws SQLException {
        MariaDbDataSource source = SOURCES.get(url);
        if (source != null) return source;
        source = new MariaDbDataSource(url);
        source.setUser(credentials.adminUser());
        source.setPassword(credentials.adminPassword());
        MariaDbDataSource raced = SOURCES.putIfAbsent(url, source);
        return raced != null ? raced : source;
    }

    /** Waits until the server accepts the admin account; fails early, with its log, when it died. */
    static void awaitReady(LabProcess process, Credentials credentials, String marker) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Path errorLog = process.log().resolveSibling("error.log");
        while (true) {
            try (Connection ignored = connect(process.endpoint(), credentials)) {
                return;
            } catch (SQLException e) {
                if (Processes.gone(process.pid(), marker)) {
                    throw Processes.exitedWhileStarting(process.name() + " on " + process.endpoint(), process.pid(), errorLog);
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException(process.name() + " on " + process.endpoint() + " did not accept connections within "
                            + START_TIMEOUT.toSeconds() + " s: " + e.getMessage() + " (log: " + errorLog + ")");
                }
                Processes.sleep(20);
            }
        }
    }

    /** Opens the primary for writes and makes its commits wait (bounded) for a replica's ack. */
    static void makePrimary(DbServer server, Credentials credentials) {
        execute(server, credentials, List.of(
                "SET GLOBAL rpl_semi_sync_master_enabled = ON",
                "SET GLOBAL read_only = OFF"));
    }

    static void makeReplica(DbServer server, DbServer primary, Credentials credentials) {
        execute(server, credentials, List.of(
                "CHANGE MASTER TO MASTER_HOST='" + primary.endpoint().host() + "', MASTER_PORT=" + primary.endpoint().port()
                        + ", MASTER_USER='" + credentials.replUser() + "', MASTER_PASSWORD='" + credentials.replPassword()
                        + "', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                "START SLAVE"));
    }

    /** Waits until both replication threads run; names the replica and its last error otherwise. */
    static void awaitReplicating(DbServer replica, Credentials credentials, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no status yet";
        try (Connection connection = connect(replica.endpoint(), credentials);
             Statement statement = connection.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = statement.executeQuery("SHOW SLAVE STATUS")) {
                    if (rs.next()) {
                        String io = rs.getString("Slave_IO_Running");
                        String sql = rs.getString("Slave_SQL_Running");
                        if ("Yes".equals(io) && "Yes".equals(sql)) return;
                        last = "IO " + io + " (" + rs.getString("Last_IO_Error") + "), SQL " + sql
                                + " (" + rs.getString("Last_SQL_Error") + ")";
                    }
                }
                Processes.sleep(20);
            }
        } catch (SQLException e) {
            throw new LabException("cannot check replication on " + replica.id() + " at " + replica.endpoint() + ": "
                    + e.getMessage(), e);
        }
        throw new LabException("replica " + replica.id() + " at " + replica.endpoint() + " is not replicating after "
                + timeout.toSeconds() + " s: " + last);
    }

    /**
     * Asks the server what it is now. Bounded by {@code timeoutMs} for the connect and for each
     * query, so a hung server counts as down; never throws.
     */
    static ServerState liveState(DbServer server, Credentials credentials, int timeoutMs) {
        try (Connection connection = admin(Jdbc.url(server.endpoint(), credentials.database(), timeoutMs, timeoutMs), credentials)
                .getConnection();
             Statement statement = connection.createStatement()) {
            boolean readOnly;
            try (ResultSet rs = statement.executeQuery("SELECT @@global.read_only")) {
                rs.next();
                readOnly = rs.getBoolean(1);
            }
            try (ResultSet rs = statement.executeQuery("SHOW SLAVE STATUS")) {
                if (rs.next()) {
                    String io = rs.getString("Slave_IO_Running");
                    String sql = rs.getString("Slave_SQL_Running");
                    if (!"No".equals(io) || "Yes".equals(sql)) {
                        String lag = rs.getString("Seconds_Behind_Master");
                        return state(server, ServerState.Live.REPLICA, "from " + rs.getString("Master_Host") + ":"
                                + rs.getString("Master_Port") + ", IO " + io + ", SQL " + sql + ", lag "
                                + (lag == null ? "unknown" : lag + " s") + (readOnly ? "" : ", WRITABLE"));
                    }
                }
            }
            return readOnly ? state(server, ServerState.Live.FENCED, "read_only")
                    : state(server, ServerState.Live.PRIMARY, "writable");
        } catch (SQLException e) {
            return state(server, ServerState.Live.DOWN, e.getMessage());
        }
    }

    private static ServerState state(DbServer server, ServerState.Live role, String detail) {
        return new ServerState(server.id(), server.shard(), server.dc(), server.endpoint(), role, detail);
    }

    private static void execute(DbServer server, Credentials credentials, List<String> statements) {
        try (Connection connection = connect(server.endpoint(), credentials);
             Statement statement = connection.createStatement()) {
            for (String sql : statements) statement.execute(sql);
        } catch (SQLException e) {
            throw new LabException("cannot configure " + server.id() + " at " + server.endpoint() + ": " + e.getMessage(), e);
        }
    }
}
