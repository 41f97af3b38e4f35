package dev.baton.chaos.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Debian binaries the lab runs; a missing one is named along with the line that installs it. */
final class Binaries {
    static final String INSTALL_LINE =
            "apt-get install -y mariadb-server-core haproxy pdns-server pdns-backend-sqlite3 sqlite3";
    private static final List<String> REQUIRED = List.of(MariaDb.MARIADBD, MariaDb.INSTALL_DB, Haproxy.BINARY,
            PowerDns.BINARY, PowerDns.SQLITE, "/usr/bin/setsid", "/usr/bin/cp");

    private Binaries() {
    }

    static void requireInstalled() {
        requireInstalled(REQUIRED);
    }

    static void requireInstalled(List<String> binaries) {
        List<String> missing = binaries.stream().filter(b -> !Files.isExecutable(Path.of(b))).toList();
        if (!missing.isEmpty()) {
            throw new LabException("missing " + String.join(", ", missing) + "; install with: " + INSTALL_LINE);
        }
    }
}
