package dev.baton.chaos.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Only one {@code up} or {@code down} at a time per lab dir, across threads and processes.
 * Two layers, because a file lock alone does not work within one JVM: Linux file locks belong to
 * the process, and closing any channel on the file would release the lock another thread holds.
 */
final class DirLock implements AutoCloseable {
    static final String FILE = ".lock";
    private static final Map<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private DirLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Waits up to {@code wait} for the lock of {@code dir}; a LabException names the dir and the holder otherwise. */
    static DirLock acquire(Path dir, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        ReentrantLock local = IN_THIS_JVM.computeIfAbsent(dir, d -> new ReentrantLock());
        try {
            if (!local.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) throw busy(dir, wait, "another thread of this JVM");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for the lock of lab " + dir, e);
        }
        if (local.getHoldCount() > 1) return new DirLock(local, null, null);
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    channel.truncate(0).write(ByteBuffer.wrap(
                            Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
                    return new DirLock(local, channel, lock);
                }
                if (System.nanoTime() > deadline) throw busy(dir, wait, "process " + holder(file));
                Processes.sleep(50);
            }
        } catch (IOException | OverlappingFileLockException | LabException e) {
            closeQuietly(channel);
            local.unlock();
            if (e instanceof LabException lab) throw lab;
            throw new LabException("cannot lock lab dir " + dir + " (" + file + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) fileLock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it anyway.
        } finally {
            closeQuietly(channel);
            local.unlock();
        }
    }

    private static LabException busy(Path dir, Duration wait, String holder) {
        return new LabException("lab in " + dir + " is busy: " + holder + " is bringing it up or down (holds "
                + dir.resolve(FILE) + "); gave up after " + wait.toMillis() + " ms");
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "(unknown pid)" : pid;
        } catch (IOException e) {
            return "(unknown pid)";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
