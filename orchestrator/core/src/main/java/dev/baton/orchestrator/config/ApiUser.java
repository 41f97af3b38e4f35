package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * Someone (or something, e.g. the drill scheduler) allowed to call the API.
 *
 * @param expires when the token stops working; null for never
 */
public record ApiUser(String name, ApiRole role, @JsonProperty("tokenSha256") TokenHash token,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Instant expires) {
    public ApiUser {
        Required.present(name, "name");
        Required.present(role, "role");
        Required.present(token, "tokenSha256");
    }

    public ApiUser(String name, ApiRole role, TokenHash token) {
        this(name, role, token, null);
    }

    public boolean expiredAt(Instant now) {
        return expires != null && !now.isBefore(expires);
    }
}
