package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * A console user's password as the config stores it: a bcrypt hash ({@code $2a$10$...}).
 * <p>
 * Unlike API tokens (random 256-bit secrets, plain SHA-256 in {@link TokenHash}), passwords are
 * picked by people and can be guessed: bcrypt makes every guess cost ~0.1 s of CPU. Spring
 * Security's {@code BCrypt} (spring-security-crypto, no other Spring needed) does the work.
 */
public record PasswordHash(@JsonValue String bcrypt) {
    /** Cost 10: about 0.1 s per check on the 2-core machines Baton runs on; a login is rare. */
    public static final int COST = 10;
    /** Checked against when the user is unknown, so an unknown name costs the same time as a wrong password. */
    private static final PasswordHash NOBODY = of("no user has this password " + System.nanoTime());

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public PasswordHash {
        if (bcrypt == null || !bcrypt.matches("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}")) {
            throw new IllegalArgumentException("a password hash must be bcrypt ($2a$10$ and 53 more characters; "
                    + "make one with `./baton passwd`), got " + (bcrypt == null ? "nothing" : "'" + bcrypt + "'"));
        }
    }

    public static PasswordHash of(String password) {
        return new PasswordHash(BCrypt.hashpw(password, BCrypt.gensalt(COST)));
    }

    /** Slow on purpose (bcrypt): call it off the event loop. */
    public boolean matches(String password) {
        return password != null && BCrypt.checkpw(password, bcrypt);
    }

    /** Spends a check's time for a user that does not exist or has no password. */
    public static void spendCheck(String password) {
        NOBODY.matches(password == null ? "" : password);
    }

    @Override
    public String toString() {
        return bcrypt;
    }
}
