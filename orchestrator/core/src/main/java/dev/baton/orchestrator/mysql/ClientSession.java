package dev.baton.orchestrator.mysql;

/**
 * A client's session on a server, from the process list.
 *
 * @param command the protocol command it runs, {@code Sleep} when idle
 * @param stateMs how long it has been in that command: for {@code Sleep}, how long it has been idle
 */
public record ClientSession(long id, String user, String command, double stateMs) {

    /** A connection still in its handshake, before the server knows the user. */
    public boolean loggingIn() {
        return "unauthenticated user".equals(user);
    }

    public boolean idleFor(double ms) {
        return "Sleep".equals(command) && stateMs >= ms;
    }

    @Override
    public String toString() {
        return id + " " + user + " " + command + " " + stateMs + " ms";
    }
}
