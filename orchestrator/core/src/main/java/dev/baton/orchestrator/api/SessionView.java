package dev.baton.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.time.Instant;

/**
 * Who is logged in, as the console reads it after login and after a reload.
 *
 * @param csrfToken what every mutation of this session must send in {@code X-CSRF-Token}; null for a bearer token
 * @param expiresAt when the session ends however busy (its idle limit may end it sooner)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionView(String user, String role, String csrfToken, long idleTimeoutSeconds, Instant expiresAt) {
    static SessionView of(ConsoleSessions.Session s, Duration idle) {
        return new SessionView(s.user(), s.role().name().toLowerCase(), s.csrfToken(), idle.toSeconds(), s.expiresAt());
    }
}
