package dev.baton.chaos.bench;

import dev.baton.wire.Credentials;
import dev.baton.wire.DbServer;
import dev.baton.wire.Jdbc;
import dev.baton.wire.Shard;
import dev.baton.wire.Topology;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks every server of every shard, over one admin connection each, whether it is writable
 * ({@code read_only=OFF}), every {@code period}: the servers' own word, not any coordinator's memory.
 * One virtual thread per shard, so a slow shard does not stretch the others' period.
 * <p>
 * Two servers of a shard are asked one after the other, so a switchover landing between the two
 * questions could look like two writable primaries; an answer of two is therefore asked again in
 * the reverse order and counted only when both passes agree (the old primary writable before and
 * after the new one was). A shard with no writable server for longer than {@code longZero} is
 * recorded as a span; shorter ones are a switchover's own write pause and only count in the maximum.
 */
public final class WritableSampler implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int SOCKET_TIMEOUT_MS = 2_000;
    private static final int KEPT_DETAILS = 20;

    /** Two servers of {@code shard} both writable at {@code at}, seen in both passes. */
    public record TwoWritable(String shard, Instant at, List<String> servers) {
    }

    /** {@code shard} had no writable server from {@code from} for {@code durationMs}; {@code open} when it still had none at the end. */
    public record ZeroSpan(String shard, Instant from, long durationMs, boolean open) {
    }

    /**
     * @param periodMs              how often each shard is asked
     * @param rounds                rounds of questions, summed over shards
     * @param maxPerShard           the most servers seen writable at once per shard (two only when confirmed)
     * @param twoWritableObserved   confirmed instants with two writable servers in one shard
     * @param twoWritableUnconfirmed an answer of two that the reverse pass did not confirm (a switchover in between)
     * @param zeroWritableMaxMs     the longest time any shard had no writable server
     * @param longZeroSpans         every span without a writable server longer than the threshold
     * @param errors                questions that failed (each a server unreachable or slow for a moment)
     */
    public record Result(long periodMs, long rounds, Map<String, Integer> maxPerShard, long twoWritableObserved,
                         long twoWritableUnconfirmed, List<TwoWritable> twoWritable, long zeroWritableMaxMs, List<ZeroSpan> longZeroSpans,
                         long errors, List<String> errorSamples) {
    }

    private final Topology topology;
    private final Duration period;
    private final Duration longZero;
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Integer> maxWritable = new ConcurrentHashMap<>();
    private final List<TwoWritable> twoWritable = Collections.synchronizedList(new ArrayList<>());
    private final List<ZeroSpan> zeroSpans = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errorSamples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong twoObserved = new AtomicLong();
    private final AtomicLong twoUnconfirmed = new AtomicLong();
    private final AtomicLong zeroMaxMs = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean running;

    public WritableSampler(Topology topology, Duration period, Duration longZero) {
        this.topology = topology;
        this.period = period;
        this.longZero = longZero;
    }

    public synchronized WritableSampler start() {
        if (running) throw new IllegalStateException("the writable sampler already runs");
        running = true;
        for (Shard shard : topology.shards()) {
            maxWritable.put(shard.name(), 0);
            threads.add(Thread.ofVirtual().name("writable-" + shard.name()).start(() -> sample(shard)));
        }
        return this;
    }

    /** Stops sampling (each shard ends its current round) and returns what was seen. */
    public synchronized Result stop() throws InterruptedException {
        running = false;
        for (Thread t : threads) t.join();
        threads.clear();
        List<TwoWritable> two;
        List<ZeroSpan> spans;
        List<String> errorsSeen;
        synchronized (twoWritable) {
            two = List.copyOf(twoWritable);
        }
        synchronized (zeroSpans) {
            spans = zeroSpans.stream().sorted((a, b) -> a.from().compareTo(b.from())).toList();
        }
        synchronized (errorSamples) {
            errorsSeen = List.copyOf(errorSamples);
        }
        return new Result(period.toMillis(), rounds.get(), new TreeMap<>(maxWritable), twoObserved.get(), twoUnconfirmed.get(), two,
                zeroMaxMs.get(), spans, errors.get(), errorsSeen);
    }

    @Override
    public void close() throws InterruptedException {
        if (running) stop();
    }

    private void sample(Shard shard) {
        List<Probe> probes = shard.servers().stream().map(s -> new Probe(s, topology.credentials())).toList();
        Instant zeroSince = null;
        long zeroSinceNanos = 0;
        try {
            while (running) {
                long roundStart = System.nanoTime();
                List<String> writable = writable(probes, false);
                if (writable != null && writable.size() >= 2) {
                    List<String> again = writable(probes.reversed(), true);
                    if (again != null && again.size() >= 2) {
                        twoObserved.incrementAndGet();
                        keep(twoWritable, new TwoWritable(shard.name(), Instant.now(), writable));
                    } else {
                        twoUnconfirmed.incrementAndGet();
                        writable = again;
                    }
                }
                rounds.incrementAndGet();
                if (writable != null) {
                    int n = Math.min(writable.size(), 2);
                    maxWritable.merge(shard.name(), n, Math::max);
                    if (writable.isEmpty() && zeroSince == null) {
                        zeroSince = Instant.now();
                        zeroSinceNanos = System.nanoTime();
                    } else if (!writable.isEmpty() && zeroSince != null) {
                        endZero(shard, zeroSince, zeroSinceNanos, false);
                        zeroSince = null;
                    }
                }
                long sleep = period.toNanos() - (System.nanoTime() - roundStart);
                if (sleep > 0) Thread.sleep(Duration.ofNanos(sleep));
            }
            if (zeroSince != null) endZero(shard, zeroSince, zeroSinceNanos, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            probes.forEach(Probe::close);
        }
    }

    /** The ids of the writable servers, in the order asked; null when a server did not answer (nothing can be said this round). */
    private List<String> writable(List<Probe> probes, boolean confirming) {
        List<String> writable = new ArrayList<>();
        for (Probe probe : probes) {
            try {
                if (probe.writable()) writable.add(probe.server.id());
            } catch (SQLException e) {
                errors.incrementAndGet();
                keep(errorSamples, probe.server.id() + " (" + probe.server.endpoint() + ")" + (confirming ? " confirming" : "")
                        + ": " + e.getMessage());
                probe.close();
                return null;
            }
        }
        return writable;
    }

    private void endZero(Shard shard, Instant since, long sinceNanos, boolean open) {
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        zeroMaxMs.accumulateAndGet(ms, Math::max);
        if (ms > longZero.toMillis()) zeroSpans.add(new ZeroSpan(shard.name(), since, ms, open));
    }

    private static <T> void keep(List<T> list, T item) {
        synchronized (list) {
            if (list.size() < KEPT_DETAILS) list.add(item);
        }
    }

    /** One server's admin connection and prepared question, reopened after a failure. */
    private static final class Probe {
        private final DbServer server;
        private final Credentials credentials;
        private Connection connection;
        private PreparedStatement query;

        Probe(DbServer server, Credentials credentials) {
            this.server = server;
            this.credentials = credentials;
        }

        boolean writable() throws SQLException {
            if (connection == null) {
                connection = DriverManager.getConnection(Jdbc.url(server.endpoint(), credentials.database(), CONNECT_TIMEOUT_MS,
                        SOCKET_TIMEOUT_MS), credentials.adminUser(), credentials.adminPassword());
                query = connection.prepareStatement("SELECT @@global.read_only");
            }
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return !rs.getBoolean(1);
            }
        }

        void close() {
            if (connection == null) return;
            try {
                connection.close();
            } catch (SQLException e) {
                // a broken connection is what is being dropped
            }
            connection = null;
            query = null;
        }
    }
}
