package dev.baton.orchestrator.traffic;

/** A traffic actuator could not do its job; the message names the server, record or backend and why. */
public final class TrafficException extends RuntimeException {
    public TrafficException(String message) {
        super(message);
    }

    public TrafficException(String message, Throwable cause) {
        super(message, cause);
    }
}
