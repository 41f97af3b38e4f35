package dev.baton.orchestrator.consul;

/** The Consul director could not do its job; the message names the Consul URL, the key or service, and why. */
public class ConsulDirectorException extends RuntimeException {
    public ConsulDirectorException(String message) {
        super(message);
    }

    public ConsulDirectorException(String message, Throwable cause) {
        super(message, cause);
    }
}
