package dev.baton.orchestrator.api;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ConsoleSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Session lifetimes on a clock the test moves; the HTTP side is ConsoleAccessTest's. */
class ConsoleSessionsTest {
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void aSessionInUseStillEndsAtItsLongestLifetimeAndSaysWhichLimitEndedIt() {
        ConsoleSessions sessions = new ConsoleSessions(new ConsoleSettings(600L, 3600L));
        ConsoleSessions.Session s = sessions.open("olga", ApiRole.OPERATOR, T0);

        for (int minute = 5; minute < 60; minute += 5) {
            assertThat(sessions.use(s.id(), T0.plus(Duration.ofMinutes(minute)), true)).isInstanceOf(ConsoleSessions.Lookup.Valid.class);
        }
        ConsoleSessions.Lookup end = sessions.use(s.id(), T0.plus(Duration.ofMinutes(60)), true);

        assertThat(end).isInstanceOfSatisfying(ConsoleSessions.Lookup.Expired.class,
                e -> assertThat(e.why()).contains("60 min after its login"));
        assertThat(sessions.use(s.id(), T0.plus(Duration.ofMinutes(61)), true)).isInstanceOf(ConsoleSessions.Lookup.Unknown.class);
    }

    @Test
    void onlyTheUsersOwnRequestsPushTheIdleLimitOn() {
        ConsoleSessions sessions = new ConsoleSessions(new ConsoleSettings(600L, 3600L));
        ConsoleSessions.Session s = sessions.open("olga", ApiRole.OPERATOR, T0);

        assertThat(sessions.use(s.id(), T0.plus(Duration.ofMinutes(9)), false)).isInstanceOf(ConsoleSessions.Lookup.Valid.class);
        assertThat(sessions.use(s.id(), T0.plus(Duration.ofMinutes(10)), false)).isInstanceOfSatisfying(ConsoleSessions.Lookup.Expired.class,
                e -> assertThat(e.why()).contains("after 10 min without use"));

        ConsoleSessions.Session t = sessions.open("olga", ApiRole.OPERATOR, T0);
        assertThat(sessions.use(t.id(), T0.plus(Duration.ofMinutes(9)), true)).isInstanceOf(ConsoleSessions.Lookup.Valid.class);
        assertThat(sessions.use(t.id(), T0.plus(Duration.ofMinutes(18)), false)).isInstanceOf(ConsoleSessions.Lookup.Valid.class);
        assertThat(sessions.open()).as("the expired one is gone").isEqualTo(1);
    }

    @Test
    void eachSessionHasItsOwnRandomIdAndCsrfToken() {
        ConsoleSessions sessions = new ConsoleSessions(ConsoleSettings.DEFAULT);
        ConsoleSessions.Session a = sessions.open("olga", ApiRole.OPERATOR, T0);
        ConsoleSessions.Session b = sessions.open("olga", ApiRole.OPERATOR, T0);

        assertThat(a.id()).matches("[0-9a-f]{64}").isNotEqualTo(b.id()).isNotEqualTo(a.csrfToken());
        assertThat(a.csrfMatches(a.csrfToken())).isTrue();
        assertThat(a.csrfMatches(b.csrfToken())).isFalse();
        assertThat(a.csrfMatches(null)).isFalse();
    }
}
