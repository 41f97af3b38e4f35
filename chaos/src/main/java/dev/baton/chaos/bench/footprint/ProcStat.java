package dev.baton.chaos.bench.footprint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One read of {@code /proc/PID/stat}: CPU time used so far by the process (every thread), by its
 * reaped children, and its resident set. Clock ticks are USER_HZ, 100 on Linux whatever the kernel's HZ.
 */
record ProcStat(long cpuTicks, long childTicks, long rssKb) {
    static final double TICKS_PER_SECOND = 100.0;
    private static final long PAGE_KB = 4;

    /**
     * CPU ticks of the process's JIT compiler threads (HotSpot names them {@code C1 CompilerThreadN} and
     * {@code C2 CompilerThreadN}); 0 for a process that has none. A compiler thread that ended took its
     * count with it, so this is a lower bound.
     */
    static long jitTicks(long pid) {
        long ticks = 0;
        try (var tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.ISO_8859_1);
                } catch (IOException gone) {
                    continue;
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) continue;
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks;
    }

    /** Empty when the process is gone (or a zombie, whose counters no longer move). */
    static Optional<ProcStat> read(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields after the last ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        if (f[0].equals("Z") || f[0].equals("X")) return Optional.empty();
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        long cutime = Long.parseLong(f[13]);
        long cstime = Long.parseLong(f[14]);
        long rssPages = Long.parseLong(f[21]);
        return Optional.of(new ProcStat(utime + stime, cutime + cstime, rssPages * PAGE_KB));
    }
}
