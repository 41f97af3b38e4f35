package dev.baton.orchestrator.haproxy;

/** An HAProxy runtime API that could not be reached or refused a command; the message names both. */
public class HaproxyException extends RuntimeException {
    public HaproxyException(String message) {
        super(message);
    }

    public HaproxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
