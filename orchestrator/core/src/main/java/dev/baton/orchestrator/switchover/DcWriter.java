package dev.baton.orchestrator.switchover;

import dev.baton.orchestrator.haproxy.HaproxyRuntime;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.ShardFrontends;

/**
 * One DC's writer path for one shard: its HAProxy and the writer backend's single server. Each change is sent and
 * answered later ({@link HaproxyRuntime.Pending}), so that every DC's HAProxy is told in one round trip.
 *
 * @param maxconn the server's maxconn before the switchover, restored when writes are released
 */
record DcWriter(Datacenter dc, ShardFrontends frontends, HaproxyRuntime runtime, int maxconn) {
    /** The writer server's maxconn while writes are held: found on a server, it is a switchover's leftover. */
    static final int HOLD_MAXCONN = 1;

    HaproxyRuntime.Pending<Void> hold() {
        return runtime.sendServerMaxconn(frontends.writerBackend(), frontends.writerServer(), HOLD_MAXCONN);
    }

    /** Connections HAProxy has open to the server right now, including any still being established. */
    HaproxyRuntime.Pending<Integer> currentSessions() {
        String backend = frontends.writerBackend();
        return runtime.sendServersState(backend).then(servers -> runtime.server(backend, frontends.writerServer(), servers).currentSessions());
    }

    /** Points the server at {@code primary} and lifts the hold: HAProxy dequeues the waiting connections to it at once. */
    HaproxyRuntime.Pending<Void> release(Endpoint primary) {
        return runtime.sendServerAddrAndMaxconn(frontends.writerBackend(), frontends.writerServer(), primary.host(), primary.port(), maxconn);
    }

    HaproxyRuntime.Pending<Void> pointAt(Endpoint primary) {
        return runtime.sendServerAddr(frontends.writerBackend(), frontends.writerServer(), primary.host(), primary.port());
    }
}
