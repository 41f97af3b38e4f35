package dev.baton.orchestrator.api;

/** The console's login form. */
public record LoginRequest(String user, String password) {
    @Override
    public String toString() {
        return "LoginRequest[user=" + user + "]"; // never the password, not even in a debug log
    }
}
