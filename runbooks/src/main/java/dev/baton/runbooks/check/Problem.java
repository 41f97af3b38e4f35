package dev.baton.runbooks.check;

/**
 * One thing wrong with a runbook, where it is and what would be right.
 *
 * @param path     where in the document, e.g. {@code steps[3].timeout}; empty for the whole document
 * @param found    what the document has there
 * @param expected what would be valid
 */
public record Problem(String source, int line, int column, String path, String found, String expected) {

    /** {@code file:line:column: path: found ..., expected ...}, the form editors and CI logs link. */
    public String message() {
        return source + ":" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ") + "found " + found
                + ", expected " + expected;
    }

    @Override
    public String toString() {
        return message();
    }
}
