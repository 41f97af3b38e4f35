package dev.baton.wire.health;

import dev.baton.wire.Endpoint;

import java.util.List;

/** A DC's HAProxy as its runtime API reports it: every server of every backend. */
public record HaproxyProbe(String dc, Endpoint runtime, boolean reachable, List<Server> servers, long latencyMs,
                           String error) implements Probe {

    /**
     * @param state HAProxy's operational state: {@code STOPPED}, {@code STARTING}, {@code RUNNING},
     *              {@code STOPPING}; and {@code MAINT}/{@code DRAIN} when an admin put it there
     */
    public record Server(String backend, String name, String address, int port, String state) {
    }

    public HaproxyProbe {
        servers = List.copyOf(servers);
    }
}
