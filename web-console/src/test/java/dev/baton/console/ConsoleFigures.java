package dev.baton.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The browser tests' measured figures (overview render time, the live view under an event every
 * 10 ms): printed, and kept as target/console-figures.json and .md, each section rewritten by the
 * test that measures it. Figures, not verdicts: the tests assert loose bounds, the note quotes these.
 */
final class ConsoleFigures {
    private static final Path JSON_FILE = Path.of("target", "console-figures.json");
    private static final Path MD_FILE = Path.of("target", "console-figures.md");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConsoleFigures() {
    }

    @SuppressWarnings("unchecked")
    static synchronized void record(String section, Map<String, Object> figures) {
        try {
            Map<String, Object> all = Files.exists(JSON_FILE) ? JSON.readValue(JSON_FILE.toFile(), TreeMap.class) : new TreeMap<>();
            all.put(section, figures);
            Files.createDirectories(JSON_FILE.getParent());
            JSON.writeValue(JSON_FILE.toFile(), all);
            StringBuilder md = new StringBuilder("| section | figure | value |\n|---|---|---|\n");
            all.forEach((s, f) -> ((Map<String, Object>) f).forEach((k, v) -> md.append("| ").append(s).append(" | ").append(k)
                    .append(" | ").append(v).append(" |\n")));
            Files.writeString(MD_FILE, md);
            System.out.println("console figures, " + section + ": " + JSON.writeValueAsString(figures));
            System.out.print(md);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
