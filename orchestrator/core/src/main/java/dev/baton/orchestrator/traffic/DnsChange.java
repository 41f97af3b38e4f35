package dev.baton.orchestrator.traffic;

/**
 * What a DNS flip changed, for the failover report.
 *
 * @param before the record before the change; null when there was none
 */
public record DnsChange(String zone, String name, ARecord before, ARecord after) {
    public boolean changed() {
        return !after.equals(before);
    }
}
