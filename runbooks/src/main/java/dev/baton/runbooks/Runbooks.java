package dev.baton.runbooks;

import dev.baton.runbooks.check.Problem;
import dev.baton.runbooks.check.RunbookParser;
import dev.baton.runbooks.check.RunbookValidator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Where runbooks come from: a file, a text, or the ones Baton ships. Each comes back {@link Checked}. */
public final class Runbooks {
    /** The runbooks shipped as resources under {@code runbooks/NAME.yaml}. */
    public static final List<String> SHIPPED = List.of("planned-evacuation", "emergency-failover", "shard-switchover", "fail-back");

    private Runbooks() {
    }

    /** Reads and validates a file; a file over the size limit is refused from its size alone, unread. */
    public static Checked check(Path file) {
        String source = file.toString();
        try {
            long size = Files.size(file);
            if (size > RunbookParser.MAX_CHARS) {
                return refused(source, "a file of " + size + " bytes", "at most " + RunbookParser.MAX_CHARS + " bytes (1 MiB)");
            }
            return check(source, decode(Files.readAllBytes(file)));
        } catch (CharacterCodingException e) {
            return refused(source, "bytes that are not UTF-8", "a UTF-8 text file");
        } catch (IOException e) {
            return refused(source, "a file that cannot be read (" + e + ")", "a readable runbook file");
        }
    }

    public static Checked check(String source, String text) {
        RunbookParser.Parsed parsed = RunbookParser.parse(source, text);
        if (parsed.runbook() == null) return new Checked(source, null, parsed.problems());
        List<Problem> problems = new ArrayList<>(RunbookValidator.validate(parsed.runbook(), parsed.where()));
        problems.sort(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column));
        return new Checked(source, problems.isEmpty() ? parsed.runbook() : null, problems);
    }

    /** A runbook Baton ships, by name (e.g. {@code planned-evacuation}). */
    public static Checked shipped(String name) {
        if (!SHIPPED.contains(name)) {
            throw new IllegalArgumentException("no shipped runbook named '" + name + "'; shipped: " + String.join(", ", SHIPPED));
        }
        try (InputStream in = Runbooks.class.getResourceAsStream("/runbooks/" + name + ".yaml")) {
            if (in == null) throw new IllegalStateException("the shipped runbook " + name + " is missing from the jar");
            return check("shipped:" + name, decode(in.readAllBytes()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped runbook " + name + ": " + e.getMessage(), e);
        }
    }

    /** A shipped name, else a file path: what the CLI accepts. */
    public static Checked load(String nameOrFile) {
        return SHIPPED.contains(nameOrFile) ? shipped(nameOrFile) : check(Path.of(nameOrFile));
    }

    private static String decode(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static Checked refused(String source, String found, String expected) {
        return new Checked(source, null, List.of(new Problem(source, 1, 1, "", found, expected)));
    }
}
