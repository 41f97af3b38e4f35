package dev.baton.orchestrator.mysql;

import dev.baton.wire.DbServer;
import dev.baton.wire.Endpoint;

import java.util.Optional;

/** What one MariaDB server says about itself, or why it could not be asked. */
public sealed interface ServerStatus permits ServerStatus.Up, ServerStatus.Down {

    DbServer server();

    /**
     * @param binlogState  {@code gtid_binlog_state}, the source for errant-GTID checks
     * @param replication  {@code SHOW SLAVE STATUS}; empty when the server has no master configured
     */
    record Up(DbServer server, long serverId, boolean readOnly, GtidPosition binlogPos, GtidPosition slavePos,
              GtidPosition currentPos, GtidPosition binlogState, boolean logSlaveUpdates, boolean semiSyncMaster,
              Optional<Replication> replication) implements ServerStatus {

        /** Replicating means a master is configured and at least one replication thread is meant to run. */
        public boolean replicating() {
            return replication.filter(r -> r.ioRunning() || r.sqlRunning()).isPresent();
        }

        public boolean writablePrimary() {
            return !readOnly && !replicating();
        }
    }

    record Down(DbServer server, String reason) implements ServerStatus {
    }

    /**
     * One row of {@code SHOW SLAVE STATUS}.
     *
     * @param ioRunning          Slave_IO_Running is {@code Yes} ({@code Connecting} counts as not running)
     * @param secondsBehind      Seconds_Behind_Master; empty when the server cannot tell (SQL thread stopped)
     * @param usingGtid          Using_Gtid, e.g. {@code Slave_Pos}
     */
    record Replication(boolean ioRunning, boolean sqlRunning, String ioState, Optional<Long> secondsBehind,
                       Endpoint master, String usingGtid, String lastIoError, String lastSqlError) {

        public boolean replicatesFrom(Endpoint endpoint) {
            return master.equals(endpoint);
        }
    }
}
