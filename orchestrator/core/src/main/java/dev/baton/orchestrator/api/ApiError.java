package dev.baton.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every error the API returns.
 *
 * @param leader for {@code not_leader}: the leader's API address, where to send the request instead
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, String leader) {
}
