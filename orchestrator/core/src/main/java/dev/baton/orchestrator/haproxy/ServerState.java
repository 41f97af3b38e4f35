package dev.baton.orchestrator.haproxy;

/**
 * One server of an HAProxy backend as the runtime API reports it.
 *
 * @param operationalState  {@code srv_op_state}: 0 stopped, 1 starting, 2 running, 3 stopping
 * @param adminState        {@code srv_admin_state} bit field: 0 ready; 0x01/0x02/0x20 are the maintenance flags
 * @param currentSessions   {@code scur}: connections to this server right now
 * @param queued            {@code qcur}: connections queued for this server itself (the backend's own queue, where
 *                          new connections wait while every server is full, is not counted)
 * @param maxconn           {@code slim}: the server's maxconn (0 when unlimited)
 */
public record ServerState(String backend, String server, String address, int port, int operationalState,
                          int adminState, int currentSessions, int queued, int maxconn) {

    private static final int MAINTENANCE_FLAGS = 0x01 | 0x02 | 0x20;

    public boolean inMaintenance() {
        return (adminState & MAINTENANCE_FLAGS) != 0;
    }
}
