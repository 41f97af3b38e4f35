package dev.baton.orchestrator.mysql;

/** A MariaDB server could not be reached or refused a statement; the message names the server. */
public class ActuatorException extends RuntimeException {
    public ActuatorException(String message) {
        super(message);
    }

    public ActuatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
