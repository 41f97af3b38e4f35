package dev.baton.chaos.bench.footprint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Samples the CPU and resident memory of a changing set of processes (a lab's servers, Baton's own
 * services, this JVM) from /proc once a second, until {@link #stop()}. A process first seen after
 * the start counts from its own start (it started inside the window: a restarted coordinator); one
 * that ends counts up to its last sample. This JVM is measured as {@code selfKind}; the short-lived
 * commands it ran and reaped meanwhile (mariadb-install-db, cp) as {@code helpers}.
 */
public final class FootprintSampler implements AutoCloseable {
    private static final Duration EVERY = Duration.ofSeconds(1);

    private final Supplier<List<Tracked>> processes;
    private final Tracked self;
    private final long startNanos = System.nanoTime();
    private final long selfChildTicksAtStart;
    private final Map<String, Seen> seen = new LinkedHashMap<>();
    private final Thread thread;
    private boolean firstSample = true;
    private Footprint result;

    private static final class Seen {
        final Tracked tracked;
        final long baseTicks;
        long lastTicks;
        /** JIT compiler threads' ticks when first seen and at the last sample (see {@link ProcStat#jitTicks}). */
        long baseJitTicks = -1;
        long lastJitTicks;
        long rssMaxKb;
        long rssSumKb;
        int samples;
        boolean gone;

        Seen(Tracked tracked, long baseTicks) {
            this.tracked = tracked;
            this.baseTicks = baseTicks;
        }
    }

    private FootprintSampler(Supplier<List<Tracked>> processes, String selfKind, boolean selfSinceItsStart) {
        this.processes = processes;
        long pid = ProcessHandle.current().pid();
        this.self = new Tracked(selfKind, "baton (this JVM)", pid);
        this.selfChildTicksAtStart = ProcStat.read(pid).map(ProcStat::childTicks).orElse(0L);
        if (selfSinceItsStart) seen.put(key(self), new Seen(self, 0));
        sample();
        this.thread = Thread.ofPlatform().name("footprint-sampler").daemon().start(this::loop);
    }

    /**
     * Starts sampling now.
     *
     * @param processes asked at every sample which processes to measure (this JVM is added)
     * @param selfKind  what this JVM is in the report, e.g. {@code load generator}
     */
    public static FootprintSampler start(Supplier<List<Tracked>> processes, String selfKind) {
        return new FootprintSampler(processes, selfKind, false);
    }

    /** As {@link #start}, but this JVM counts from its own start: its start-up is part of what is measured. */
    public static FootprintSampler startCountingThisJvmFromItsStart(Supplier<List<Tracked>> processes, String selfKind) {
        return new FootprintSampler(processes, selfKind, true);
    }

    private void loop() {
        try {
            while (true) {
                Thread.sleep(EVERY);
                sample();
            }
        } catch (InterruptedException e) {
            // stop() takes the last sample itself.
        }
    }

    private synchronized void sample() {
        sample(false);
    }

    private synchronized void sample(boolean finalSample) {
        if (result != null) return;
        List<Tracked> now = new ArrayList<>();
        now.add(self);
        try {
            now.addAll(processes.get());
        } catch (RuntimeException e) {
            // The list could not be read this time (a lab state file being replaced); the known ones are still sampled.
        }
        for (Tracked t : now) {
            seen.computeIfAbsent(key(t), k -> {
                Optional<ProcStat> stat = ProcStat.read(t.pid());
                // Present at the first sample: count from here on; first seen later: it started inside the window.
                return new Seen(t, firstSample ? stat.map(ProcStat::cpuTicks).orElse(0L) : 0L);
            });
        }
        for (Seen s : seen.values()) {
            if (s.gone) continue;
            Optional<ProcStat> stat = ProcStat.read(s.tracked.pid());
            if (stat.isEmpty()) {
                s.gone = true;
                continue;
            }
            s.lastTicks = Math.max(s.lastTicks, stat.get().cpuTicks());
            // The compiler threads are read at the first and the final sample only: a directory walk per process per second
            // would cost more than what it measures.
            if (s.baseJitTicks < 0) s.baseJitTicks = s.baseTicks == 0 ? 0 : ProcStat.jitTicks(s.tracked.pid());
            if (finalSample) s.lastJitTicks = ProcStat.jitTicks(s.tracked.pid());
            s.rssMaxKb = Math.max(s.rssMaxKb, stat.get().rssKb());
            s.rssSumKb += stat.get().rssKb();
            s.samples++;
        }
        firstSample = false;
    }

    private static String key(Tracked t) {
        return t.name() + "#" + t.pid();
    }

    /** Takes a last sample and returns what every process used since the start. Idempotent. */
    public Footprint stop() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (result != null) return result;
            sample(true);
            double wall = (System.nanoTime() - startNanos) / 1e9;
            List<ProcessUse> uses = new ArrayList<>();
            long goneTicks = 0;
            for (Seen s : seen.values()) {
                if (s.samples == 0) continue;
                long ticks = Math.max(0, s.lastTicks - s.baseTicks);
                long jit = s.gone ? 0 : Math.max(0, s.lastJitTicks - Math.max(0, s.baseJitTicks));
                if (s.gone) goneTicks += s.lastTicks;
                uses.add(use(s.tracked, ticks, jit, wall, s.rssSumKb / (double) s.samples, s.rssMaxKb));
            }
            // Reaped children show up in this JVM's cutime/cstime; a lab process that ended (and so may have been
            // reaped by this JVM) is already counted on its own line, so it is taken out again.
            long childTicks = ProcStat.read(self.pid()).map(ProcStat::childTicks).orElse(selfChildTicksAtStart)
                    - selfChildTicksAtStart - goneTicks;
            if (childTicks > 0) {
                uses.add(use(new Tracked("helpers", "commands this JVM ran and reaped", self.pid()), childTicks, 0, wall, 0, 0));
            }
            result = new Footprint(wall, uses);
            return result;
        }
    }

    private static ProcessUse use(Tracked t, long ticks, long jitTicks, double wall, double rssKbAvg, long rssKbMax) {
        double cpuSeconds = ticks / ProcStat.TICKS_PER_SECOND;
        return new ProcessUse(t.kind(), t.name(), t.pid(), cpuSeconds, jitTicks / ProcStat.TICKS_PER_SECOND,
                wall <= 0 ? 0 : 100 * cpuSeconds / wall, rssKbAvg / 1024, rssKbMax / 1024.0);
    }

    @Override
    public void close() {
        stop();
    }
}
