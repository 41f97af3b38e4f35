package dev.baton.orchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.failover.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /**
     * The newest {@code limit} entries, newest first, of those by {@code who} (exact; empty for anyone) whose
     * text contains {@code text} (any case; empty for all). Reads the whole file: fine for a coordinator's
     * audit log of API calls (thousands of lines); a rotated log keeps it so.
     */
    public synchronized List<AuditEntry> read(int limit, String who, String text) {
        if (!Files.exists(file)) return List.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read audit log " + file + ": " + e.getMessage(), e);
        }
        String needle = text == null ? "" : text.toLowerCase(Locale.ROOT);
        List<AuditEntry> found = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && found.size() < limit; i--) {
            String line = lines.get(i);
            if (line.isBlank() || !needle.isEmpty() && !line.toLowerCase(Locale.ROOT).contains(needle)) continue;
            AuditEntry entry;
            try {
                entry = Json.MAPPER.readValue(line, AuditEntry.class);
            } catch (JsonProcessingException e) {
                continue; // a line cut short by a crash mid-write: the rest of the log still reads
            }
            if (who == null || who.isEmpty() || who.equals(entry.who())) found.add(entry);
        }
        return found;
    }

    public Path file() {
        return file;
    }
}
