package dev.baton.chaos.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The state file {@code dir/lab.json}: the spec the lab was built from, every process it started and
 * where its stand-ins listen (null in a lab built before it had any).
 */
record LabState(LabSpec spec, List<LabProcess> processes, StandIns standIns) {
    static final String FILE = "lab.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    LabState {
        processes = List.copyOf(processes);
    }

    static Optional<LabState> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(file.toFile(), LabState.class));
        } catch (IOException e) {
            throw new LabException("cannot read the lab state " + file + ": " + e.getMessage()
                    + "; stop its processes by hand and delete the file", e);
        }
    }

    /** Written after every process start, so even a half-built lab can be taken down by PID. */
    void write() {
        Path file = spec.dir().resolve(FILE);
        Path tmp = spec.dir().resolve(FILE + ".tmp");
        try {
            Files.createDirectories(spec.dir());
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LabException("cannot write the lab state " + file + ": " + e.getMessage(), e);
        }
    }
}
