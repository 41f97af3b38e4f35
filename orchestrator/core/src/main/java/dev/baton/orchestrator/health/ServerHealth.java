package dev.baton.orchestrator.health;

/**
 * One MariaDB server as its DC's agents last reported it.
 *
 * @param reported   a fresh report mentions it; when false nothing else is known
 * @param lagSeconds Seconds_Behind_Master; null when not replicating or unknown
 * @param error      why it is unreachable or not replicating, as the agent saw it; null when fine
 */
public record ServerHealth(String serverId, String dc, boolean reported, boolean reachable, boolean writable,
                           boolean replicating, boolean ioRunning, boolean sqlRunning, Long lagSeconds,
                           String gtidCurrentPos, String error) {

    static ServerHealth unreported(String serverId, String dc) {
        return new ServerHealth(serverId, dc, false, false, false, false, false, false, null, null, null);
    }
}
