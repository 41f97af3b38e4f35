package dev.baton.orchestrator.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An agent allowed to report health for its DC. */
public record AgentAccount(String id, String dc, @JsonProperty("tokenSha256") TokenHash token) {
    public AgentAccount {
        Required.present(id, "id");
        Required.present(dc, "dc");
        Required.present(token, "tokenSha256");
    }
}
