package dev.baton.chaos.lab;

import dev.baton.wire.Endpoint;

import java.nio.file.Path;
import java.util.List;

/**
 * One process the lab started, as recorded in the state file.
 *
 * @param name     e.g. {@code mariadb s1-east}, {@code haproxy east}, {@code pdns}, {@code zookeeper}
 * @param command  the exact command, so {@link Lab#start} can run it again
 * @param endpoint the address it serves (its main port); null for an adopted process that serves none
 * @param log      where its stdout and stderr go
 */
public record LabProcess(String name, long pid, List<String> command, Endpoint endpoint, Path log) {
    public LabProcess {
        command = List.copyOf(command);
    }

    LabProcess withPid(long newPid) {
        return new LabProcess(name, newPid, command, endpoint, log);
    }
}
