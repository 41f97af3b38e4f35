package dev.baton.orchestrator.failover;

import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;

/** A database server as a plan names it. */
public record ServerRef(String id, String dc, Endpoint endpoint) {
    static ServerRef of(DbServer server) {
        return new ServerRef(server.id(), server.dc(), server.endpoint());
    }
}
