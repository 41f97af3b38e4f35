package dev.baton.chaos.lab;

/** The lab could not do what was asked; the message names the server, port or file at fault. */
public class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
