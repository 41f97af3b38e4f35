package dev.baton.agents.probe;

/** Milliseconds since a {@link System#nanoTime()} reading. */
final class Elapsed {
    private Elapsed() {
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** The exception's message, or its class when it has none (e.g. a bare SocketTimeoutException). */
    static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }
}
