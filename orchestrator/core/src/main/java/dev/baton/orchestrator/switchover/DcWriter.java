package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.ShardFrontends;

/**
 * One DC's writer path for one shard: its HAProxy and the writer backend's single server.
 *
 * @param maxconn the server's maxconn before the switchover, restored when writes are released
 */
record DcWriter(Datacenter dc, ShardFrontends frontends, HaproxyRuntime runtime, int maxconn) {
    /** The writer server's maxconn while writes are held: found on a server, it is a switchover's leftover. */
    static final int HOLD_MAXCONN = 1;

    void hold() {
        runtime.setServerMaxconn(frontends.writerBackend(), frontends.writerServer(), HOLD_MAXCONN);
    }

    /** Connections HAProxy has open to the server right now, including any still being established. */
    int currentSessions() {
        return runtime.serverState(frontends.writerBackend(), frontends.writerServer()).currentSessions();
    }

    /** Points the server at {@code primary} and lifts the hold: HAProxy dequeues the waiting connections to it at once. */
    void release(Endpoint primary) {
        runtime.setServerAddrAndMaxconn(frontends.writerBackend(), frontends.writerServer(), primary.host(), primary.port(), maxconn);
    }

    void pointAt(Endpoint primary) {
        runtime.setServerAddr(frontends.writerBackend(), frontends.writerServer(), primary.host(), primary.port());
    }
}
