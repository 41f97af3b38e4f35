package dev.baton.agents.config;

/** An agent config that cannot be used; the message names the file and, where known, line, column and field. */
public final class AgentConfigException extends RuntimeException {
    public AgentConfigException(String message) {
        super(message);
    }

    public AgentConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
