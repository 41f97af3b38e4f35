package dev.baton.chaos.lab;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.baton.wire.Endpoint;

import java.util.Locale;

/**
 * A MariaDB server's role as the server itself reports it now (the topology file only says what
 * it was when the lab was built).
 *
 * @param detail for a replica its source and thread states, for a down server why it did not answer
 */
public record ServerState(String id, String shard, String dc, Endpoint endpoint, Live role, String detail) {

    public enum Live {
        /** read_only off and not replicating. */
        PRIMARY,
        /** Replicating (at least one replication thread running or connecting). */
        REPLICA,
        /** read_only on and not replicating: a demoted primary, or a replica whose replication was stopped. */
        FENCED,
        /** No answer within the probe's timeout. */
        DOWN;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
