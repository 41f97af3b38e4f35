package dev.baton.orchestrator.config;

/**
 * @param connect   ZooKeeper connect string, e.g. {@code 127.0.0.1:2181}
 * @param namespace every znode of this cluster lives under it, so two clusters (or a test's)
 *                  can share one ZooKeeper
 * @param sessionTimeoutMs how long a silent coordinator keeps its session (and leadership)
 */
public record ZooKeeperConfig(String connect, String namespace, Integer sessionTimeoutMs) {
    public ZooKeeperConfig {
        Required.present(connect, "connect");
        if (namespace == null) namespace = "baton";
        if (!namespace.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")) {
            throw new IllegalArgumentException("namespace '" + namespace + "' must be path segments of letters, digits, '_' or '-', without leading '/'");
        }
        if (sessionTimeoutMs == null) sessionTimeoutMs = 4000;
        if (sessionTimeoutMs < 1000) throw new IllegalArgumentException("sessionTimeoutMs must be at least 1000, got " + sessionTimeoutMs);
    }
}
