package dev.baton.orchestrator.config;

/** The config file cannot be used; the message names the file, the line and column, and the field. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    public ConfigException(String message) {
        super(message);
    }
}
