package dev.baton.orchestrator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * Every error the API returns.
 *
 * @param leader   for {@code not_leader}: the leader's API address, where to send the request instead
 * @param problems for {@code invalid_runbook}: every problem found, one each
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, String leader, List<String> problems) {
}
