package dev.baton.orchestrator.health;

import java.util.List;

/**
 * One coordinator's TCP connects to one DC's HAProxy and MariaDB servers in one round.
 *
 * @param targets  how many endpoints of the DC it tried
 * @param failures one line per failed connect, naming the target, its address and the error
 */
public record DcReach(String dc, int targets, List<String> failures) {
    public DcReach {
        failures = List.copyOf(failures);
        if (failures.size() > targets) {
            throw new IllegalArgumentException(failures.size() + " failures out of " + targets + " targets of DC " + dc);
        }
    }

    /** At least one connect succeeded: the DC is there, even when part of it is not. */
    public boolean reachable() {
        return failures.size() < targets;
    }
}
