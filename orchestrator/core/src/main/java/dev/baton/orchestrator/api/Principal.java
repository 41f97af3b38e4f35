package dev.baton.orchestrator.api;

import dev.baton.orchestrator.config.ApiRole;

/** Who made a request, once their token matched. */
public record Principal(String name, ApiRole role) {
}
