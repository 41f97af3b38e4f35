package dev.baton.orchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.failover.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends audit entries to a JSON-lines file, one line per entry, never rewriting earlier lines. */
public final class AuditLog {
    private final Path file;

    public AuditLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of audit log " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized void append(AuditEntry entry) {
        try {
            Files.writeString(file, Json.MAPPER.writeValueAsString(entry) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write audit entry " + entry, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to audit log " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }
}
