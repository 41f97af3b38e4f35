package dev.baton.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the lab lives; shared by every command that acts on a running lab. */
final class LabOptions {
    @Option(names = "--dir", description = "The lab's folder (default: $BATON_LAB_DIR or ./.lab).")
    Path dir;

    Path dir() {
        if (dir != null) return dir.toAbsolutePath();
        String env = System.getenv("BATON_LAB_DIR");
        return Path.of(env != null && !env.isBlank() ? env : ".lab").toAbsolutePath();
    }
}
