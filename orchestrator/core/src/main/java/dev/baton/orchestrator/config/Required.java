package dev.baton.orchestrator.config;

/** Checks for the config records' constructors; Jackson adds the file, line and field path. */
final class Required {
    private Required() {
    }

    static <T> T present(T value, String field) {
        if (value == null) throw new IllegalArgumentException("missing required field '" + field + "'");
        if (value instanceof String s && s.isBlank()) throw new IllegalArgumentException("field '" + field + "' is empty");
        return value;
    }
}
