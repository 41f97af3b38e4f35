package dev.baton.orchestrator.failover;

import dev.baton.wire.Endpoint;

/**
 * One DC's HAProxy writer server that a switchover repoints.
 *
 * @param haproxyRuntime the runtime API the change goes through
 * @param frontend       where clients connect (unchanged)
 * @param newTarget      the address the backend server is set to
 */
public record FrontendFlip(String dc, Endpoint haproxyRuntime, Endpoint frontend, String backend, String server,
                           Endpoint newTarget) {
}
