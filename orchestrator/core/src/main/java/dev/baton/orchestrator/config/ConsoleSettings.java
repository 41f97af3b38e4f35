package dev.baton.orchestrator.config;

import java.time.Duration;

/**
 * The web console's sessions (YAML {@code console:}).
 *
 * @param sessionIdleSeconds a session unused this long ends (default 30 min)
 * @param sessionMaxSeconds  a session ends this long after its login, used or not (default 8 h: a shift)
 */
public record ConsoleSettings(Long sessionIdleSeconds, Long sessionMaxSeconds) {
    public static final ConsoleSettings DEFAULT = new ConsoleSettings(null, null);

    public ConsoleSettings {
        if (sessionIdleSeconds == null) sessionIdleSeconds = 30 * 60L;
        if (sessionMaxSeconds == null) sessionMaxSeconds = 8 * 3600L;
        if (sessionIdleSeconds <= 0 || sessionMaxSeconds <= 0) {
            throw new IllegalArgumentException("console: sessionIdleSeconds and sessionMaxSeconds must be positive, got "
                    + sessionIdleSeconds + " and " + sessionMaxSeconds);
        }
    }

    public Duration idle() {
        return Duration.ofSeconds(sessionIdleSeconds);
    }

    public Duration max() {
        return Duration.ofSeconds(sessionMaxSeconds);
    }
}
