package dev.baton.runbooks.check;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each path of a document starts, kept beside the model so the model stays plain data and the
 * validator can still point at a line.
 */
public final class SourceMap {
    public record Position(int line, int column) {
    }

    private final String source;
    private final Map<String, Position> positions = new HashMap<>();

    SourceMap(String source) {
        this.source = source;
    }

    public String source() {
        return source;
    }

    void put(String path, int line, int column) {
        positions.putIfAbsent(path, new Position(line, column));
    }

    /** The position of {@code path}, or of its nearest parent the document has (a missing field is reported at its mapping). */
    public Position at(String path) {
        for (String p = path; ; p = parent(p)) {
            Position found = positions.get(p);
            if (found != null) return found;
            if (p.isEmpty()) return new Position(1, 1);
        }
    }

    public Problem problem(String path, String found, String expected) {
        Position at = at(path);
        return new Problem(source, at.line(), at.column(), path, found, expected);
    }

    private static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }
}
