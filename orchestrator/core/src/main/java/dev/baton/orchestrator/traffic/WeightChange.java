package dev.baton.orchestrator.traffic;

/**
 * One server weight in one DC's HAProxy, before and after a drain or undrain.
 *
 * @param haproxy the DC whose HAProxy this is
 * @param server  the server, named after the DC whose checkout app it is
 */
public record WeightChange(String haproxy, String backend, String server, int before, int after) {
    public boolean changed() {
        return before != after;
    }
}
