package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Someone (or something, e.g. the drill scheduler) allowed to call the API: with a bearer token
 * (the CLI, automation), a console password, or both.
 *
 * @param token    null for a console-only user
 * @param password null for a token-only user
 * @param expires  when the token stops working; null for never
 */
public record ApiUser(String name, ApiRole role,
                      @JsonProperty("tokenSha256") @JsonInclude(JsonInclude.Include.NON_NULL) TokenHash token,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Instant expires,
                      @JsonProperty("passwordBcrypt") @JsonInclude(JsonInclude.Include.NON_NULL) PasswordHash password) {
    public ApiUser {
        Required.present(name, "name");
        Required.present(role, "role");
        if (token == null && password == null) {
            throw new IllegalArgumentException("user '" + name + "' has neither 'tokenSha256' (API) nor 'passwordBcrypt' (console)");
        }
    }

    public ApiUser(String name, ApiRole role, TokenHash token) {
        this(name, role, token, null, null);
    }

    public ApiUser(String name, ApiRole role, TokenHash token, Instant expires) {
        this(name, role, token, expires, null);
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }
}
