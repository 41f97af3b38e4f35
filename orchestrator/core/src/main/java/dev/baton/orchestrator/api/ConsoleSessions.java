package dev.baton.orchestrator.api;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ConsoleSettings;
import dev.baton.orchestrator.config.TokenHash;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console's logged-in sessions, in this coordinator's memory: a console talks to one
 * coordinator, and after that coordinator's restart its users log in again.
 * <p>
 * A session ends when unused for {@link ConsoleSettings#idle()} or at {@link ConsoleSettings#max()}
 * after its login, whichever comes first. The cookie holds a random 256-bit id; each session has
 * its own CSRF token, which every mutation must send back in a header.
 */
public final class ConsoleSessions {
    /** What a session is; {@code id} is the cookie's value. */
    public record Session(String id, String user, ApiRole role, String csrfToken, Instant created, Instant expiresAt,
                          Instant lastUsed) {
        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                    csrfToken.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** What a cookie turned out to be. */
    public sealed interface Lookup {
        record Valid(Session session) implements Lookup {}

        /** The session existed and ran out; {@code why} says which limit. */
        record Expired(String why) implements Lookup {}

        record Unknown() implements Lookup {}
    }

    private final ConsoleSettings settings;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    public ConsoleSessions(ConsoleSettings settings) {
        this.settings = settings;
    }

    public Session open(String user, ApiRole role, Instant now) {
        sessions.values().removeIf(s -> expiry(s, now) != null);
        Session session = new Session(TokenHash.newToken(), user, role, TokenHash.newToken(), now, now.plus(settings.max()), now);
        sessions.put(session.id(), session);
        return session;
    }

    /**
     * Looks a cookie up and, if it is valid and {@code byTheUser}, counts this as a use (which pushes its idle limit on).
     * A console's own polling is not the user's doing: an open tab left alone still ends.
     */
    public Lookup use(String id, Instant now, boolean byTheUser) {
        Session session = id == null ? null : sessions.get(id);
        if (session == null) return new Lookup.Unknown();
        String why = expiry(session, now);
        if (why != null) {
            sessions.remove(id);
            return new Lookup.Expired(why);
        }
        if (!byTheUser) return new Lookup.Valid(session);
        Session used = new Session(session.id(), session.user(), session.role(), session.csrfToken(), session.created(),
                session.expiresAt(), now);
        sessions.replace(id, session, used);
        return new Lookup.Valid(used);
    }

    public void close(String id) {
        sessions.remove(id);
    }

    public Duration idle() {
        return settings.idle();
    }

    public int open() {
        return sessions.size();
    }

    private String expiry(Session s, Instant now) {
        if (!now.isBefore(s.expiresAt())) {
            return "your session ended " + span(Duration.between(s.created(), s.expiresAt()))
                    + " after its login (the longest a session lasts); log in again";
        }
        if (!now.isBefore(s.lastUsed().plus(settings.idle()))) {
            return "your session ended after " + span(settings.idle()) + " without use; log in again";
        }
        return null;
    }

    /** Minutes as people set them; seconds for the short lifetimes of a test or a strict site. */
    private static String span(Duration d) {
        return d.toSeconds() < 120 ? d.toSeconds() + " s" : d.toMinutes() + " min";
    }
}
