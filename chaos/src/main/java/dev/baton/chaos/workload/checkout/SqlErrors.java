package dev.baton.chaos.workload.checkout;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Sorts a failed write into what a checkout may retry and what it may not. */
public final class SqlErrors {

    /** What went wrong, as far as retrying is concerned. */
    public enum Kind {
        /** The connection broke or never came up: the write's outcome may be unknown, a retry resolves it. */
        CONNECTION,
        /** The server is fenced (read_only): nothing was written, a retry may land on the new primary. */
        READ_ONLY,
        /** Anything else (syntax, constraint, access): retrying would fail the same way. */
        OTHER;

        public boolean retryable() {
            return this != OTHER;
        }
    }

    // 1290 ER_OPTION_PREVENTS_STATEMENT (--read-only), 1836 ER_READ_ONLY_MODE.
    private static final Set<Integer> READ_ONLY_CODES = Set.of(1290, 1836);
    // 1927 ER_CONNECTION_KILLED (the fence ends client sessions), 1053 ER_SERVER_SHUTDOWN,
    // 1040 ER_CON_COUNT_ERROR (the server refused the connection: nothing was written).
    private static final Set<Integer> CONNECTION_CODES = Set.of(1927, 1053, 1040);

    private SqlErrors() {
    }

    public static Kind classify(SQLException e) {
        if (READ_ONLY_CODES.contains(e.getErrorCode())) return Kind.READ_ONLY;
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || CONNECTION_CODES.contains(e.getErrorCode())
                || (e.getSQLState() != null && e.getSQLState().startsWith("08"))
                || causedByIo(e)) {
            return Kind.CONNECTION;
        }
        return Kind.OTHER;
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) return true;
        }
        return false;
    }
}
