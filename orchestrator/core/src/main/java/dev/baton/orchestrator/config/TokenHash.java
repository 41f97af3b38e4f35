package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A bearer token as the config stores it: SHA-256, lower-case hex.
 * <p>
 * Plain SHA-256 rather than PBKDF2/bcrypt because these tokens are long random secrets
 * ({@link #newToken()}: 256 bits), not passwords a person picks: nothing to brute-force, so a
 * slow hash would only cost CPU on every request (agents report every second, to every
 * coordinator). Comparison is constant-time.
 */
public record TokenHash(@JsonValue String hex) {
    private static final HexFormat HEX = HexFormat.of();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public TokenHash {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a token hash must be 64 lower-case hex characters (SHA-256 of the token), got "
                    + (hex == null ? "nothing" : "'" + hex + "'"));
        }
    }

    public static TokenHash of(String token) {
        return new TokenHash(HEX.formatHex(digest(token)));
    }

    public boolean matches(String token) {
        return MessageDigest.isEqual(digest(token), digest());
    }

    /** The stored hash as bytes, e.g. to check one presented {@link #digest(String)} against many. */
    public byte[] digest() {
        return HEX.parseHex(hex);
    }

    /** A fresh random token, 256 bits, hex. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    /** SHA-256 of a token. */
    public static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return hex;
    }
}
