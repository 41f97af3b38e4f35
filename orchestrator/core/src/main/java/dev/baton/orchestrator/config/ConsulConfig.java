package dev.baton.orchestrator.config;

import dev.baton.orchestrator.consul.ConsulTarget;

/**
 * The Consul a runbook's {@code consul} steps write to.
 *
 * @param key     the KV key of the active-DC document; default {@code baton/<topology>/active}
 * @param service the catalog service tagged {@code active}/{@code standby} per DC; default {@code checkout}
 */
public record ConsulConfig(String url, String key, String service) {
    public ConsulConfig {
        Required.present(url, "url");
        // The target's own checks, here so that a bad value is reported with the file's line and column.
        target(url, key, service, "topology");
    }

    public ConsulTarget target(String topologyName) {
        return target(url, key, service, topologyName);
    }

    private static ConsulTarget target(String url, String key, String service, String topologyName) {
        ConsulTarget defaults = ConsulTarget.forTopology(url, topologyName);
        return new ConsulTarget(url, key == null ? defaults.key() : key, service == null ? defaults.service() : service);
    }
}
