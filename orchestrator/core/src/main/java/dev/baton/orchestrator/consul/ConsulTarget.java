package dev.baton.orchestrator.consul;

/**
 * Where Baton keeps its routing state in Consul.
 *
 * @param url     the Consul HTTP API, e.g. {@code http://127.0.0.1:8500}
 * @param key     the KV key holding the {@link ActiveDc} document
 * @param service the catalog service registered once per DC, tagged {@code active} or {@code standby}
 */
public record ConsulTarget(String url, String key, String service) {
    public ConsulTarget {
        if (url == null || !url.matches("https?://\\S+")) throw new IllegalArgumentException("Consul URL is '" + url + "', not http(s)://host:port");
        if (key == null || key.isBlank() || key.startsWith("/")) throw new IllegalArgumentException("Consul key is '" + key + "': empty or starting with /");
        if (service == null || service.isBlank()) throw new IllegalArgumentException("Consul service name is empty");
    }

    /** The defaults: key {@code baton/<topology>/active}, service {@code checkout}. */
    public static ConsulTarget forTopology(String url, String topologyName) {
        return new ConsulTarget(url, "baton/" + topologyName + "/active", "checkout");
    }
}
