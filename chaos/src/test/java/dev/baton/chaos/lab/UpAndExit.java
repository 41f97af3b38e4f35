package dev.baton.chaos.lab;

import java.nio.file.Path;
import java.util.List;

/** Brings a lab up and exits, as {@code baton lab up} does; run in a child JVM by {@link LabLifecycleTest}. */
public final class UpAndExit {
    private UpAndExit() {
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        Lab lab = Lab.up(new LabSpec(Path.of(args[0]), List.of("east", "west"), Integer.parseInt(args[1]), 0, false));
        System.out.printf("lab 2 DCs x %s shards up in %d ms%n", args[1], (System.nanoTime() - started) / 1_000_000);
        System.out.print(lab.status().table());
    }
}
