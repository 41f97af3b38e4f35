package dev.baton.cli;

import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

/**
 * A coordinator config for a lab: a coordinator per DC on the DC's own address, the lab's
 * ZooKeeper, and fresh tokens for an operator ({@code sre}) and a viewer ({@code viewer}).
 * It lives here, not in the lab, so the coordinator's code never depends on the lab.
 *
 * @param tokens the plain tokens by user name; only their hashes go into the config
 */
record LabConfig(ConfigFile config, Map<String, String> tokens) {

    static LabConfig of(Topology topology, String topologyFile) {
        String operator = TokenHash.newToken();
        String viewer = TokenHash.newToken();
        List<CoordinatorPeer> coordinators = topology.datacenters().stream()
                .map(dc -> new CoordinatorPeer("coordinator-" + dc.name(), dc.name(), new Endpoint(dc.address(), freePort(dc))))
                .toList();
        ConfigFile config = new ConfigFile(null, topologyFile, coordinators,
                new ZooKeeperConfig(topology.zookeeper().toString(), "baton/" + topology.name(), 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, TokenHash.of(operator)), new ApiUser("viewer", ApiRole.VIEWER, TokenHash.of(viewer))),
                List.of(), "coordinator-audit.jsonl");
        return new LabConfig(config, Map.of("sre", operator, "viewer", viewer));
    }

    private static int freePort(Datacenter dc) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(dc.address(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on DC " + dc.name() + "'s address " + dc.address() + ": " + e.getMessage(), e);
        }
    }
}
