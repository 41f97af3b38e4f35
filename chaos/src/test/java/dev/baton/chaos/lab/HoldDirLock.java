package dev.baton.chaos.lab;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Holds a lab dir's lock file until killed, as a concurrent {@code baton lab up} in another process would. */
public final class HoldDirLock {
    private HoldDirLock() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        java.nio.file.Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve(DirLock.FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); var lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
