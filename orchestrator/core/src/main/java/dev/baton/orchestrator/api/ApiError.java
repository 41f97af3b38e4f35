package dev.baton.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Every error the API returns.
 *
 * @param leader   for {@code not_leader}: the leader's API address, where to send the request instead
 * @param problems   for {@code invalid_runbook} and {@code not_ready}: every problem found, one each
 * @param catchingUp for {@code not_ready}: true when every problem is a candidate still catching up, which
 *                   clears by itself in seconds, so a client may ask again (bounded); false when a person must act
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, String leader, List<String> problems, Boolean catchingUp) {

    public ApiError(String code, String message, String leader, List<String> problems) {
        this(code, message, leader, problems, null);
    }
}
