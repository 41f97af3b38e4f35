package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Someone (or something, e.g. the drill scheduler) allowed to call the API. */
public record ApiUser(String name, ApiRole role, @JsonProperty("tokenSha256") TokenHash token) {
    public ApiUser {
        Required.present(name, "name");
        Required.present(role, "role");
        Required.present(token, "tokenSha256");
    }
}
