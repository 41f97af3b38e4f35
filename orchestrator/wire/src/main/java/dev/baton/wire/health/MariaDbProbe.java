package dev.baton.wire.health;

import dev.baton.wire.Endpoint;

/**
 * A MariaDB server as it describes itself. When {@code reachable} is false only {@code error} says anything.
 *
 * @param replicating    replication is configured on it (it has a source), whatever its threads do
 * @param lagSeconds     Seconds_Behind_Master; null when not replicating or unknown (IO thread down)
 * @param gtidBinlogPos  the GTIDs it wrote to its own binlog
 * @param gtidCurrentPos the GTIDs it has applied, from its binlog or as a replica
 */
public record MariaDbProbe(String serverId, Endpoint endpoint, boolean reachable, boolean readOnly, boolean replicating,
                           boolean ioRunning, boolean sqlRunning, Long lagSeconds, String gtidBinlogPos,
                           String gtidCurrentPos, long latencyMs, String error) implements Probe {

    public static MariaDbProbe unreachable(String serverId, Endpoint endpoint, long latencyMs, String error) {
        return new MariaDbProbe(serverId, endpoint, false, false, false, false, false, null, null, null, latencyMs, error);
    }

    /** Writable: the only state in which the app's writes land here. */
    public boolean writable() {
        return reachable && !readOnly;
    }
}
