package dev.baton.orchestrator.config;

import dev.baton.wire.Endpoint;

/**
 * One coordinator of the cluster.
 *
 * @param http where its API listens; followers hand this address out as the leader's
 */
public record CoordinatorPeer(String id, String dc, Endpoint http) {
    public CoordinatorPeer {
        Required.present(id, "id");
        Required.present(dc, "dc");
        Required.present(http, "http");
    }

    public String url() {
        return "http://" + http.host() + ":" + http.port();
    }
}
