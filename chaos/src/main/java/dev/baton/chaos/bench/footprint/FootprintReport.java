package dev.baton.chaos.bench.footprint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Adds what a bench's own run cost the machine to the report it wrote: a {@code footprint} member in
 * {@code report.json} (the kinds, the total, every process) and the table at the end of {@code report.md}.
 * One place for every bench, whatever its report's shape.
 */
public final class FootprintReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private FootprintReport() {
    }

    /** The footprint as JSON: totals first, then per kind, then per process. */
    public static ObjectNode toJson(Footprint footprint) {
        ObjectNode node = JSON.createObjectNode();
        node.put("wallSeconds", footprint.wallSeconds());
        node.put("cpuSeconds", footprint.cpuSeconds());
        node.put("totalCores", footprint.totalCores());
        node.put("rssMb", footprint.rssMb());
        node.set("kinds", JSON.valueToTree(footprint.byKind()));
        node.set("processes", JSON.valueToTree(footprint.processes()));
        return node;
    }

    /** Appends to {@code dir/report.json} and {@code dir/report.md} (both must exist); returns the Markdown added. */
    public static String append(Path dir, Footprint footprint) {
        String section = "\n## Footprint of this run\n\nEvery process of the lab and this bench's own JVM (the load generator), "
                + "from start to end of the run.\n\n" + footprint.markdown();
        try {
            Path json = dir.resolve("report.json");
            ObjectNode report = (ObjectNode) JSON.readTree(json.toFile());
            report.set("footprint", toJson(footprint));
            JSON.writeValue(json.toFile(), report);
            Files.writeString(dir.resolve("report.md"), section, StandardOpenOption.APPEND);
        } catch (IOException | ClassCastException e) {
            throw new UncheckedIOException("cannot add the footprint to the report in " + dir + ": " + e.getMessage(),
                    e instanceof IOException io ? io : new IOException(e));
        }
        return section;
    }
}
