package dev.baton.runbooks.model;

/** Which shards {@code ${shards}} means when a request names none. */
public enum Scope {
    /** Every shard whose primary is in {@code ${from}}; a request may narrow it to some. */
    DATACENTER,
    /** Exactly one shard, which the request must name. */
    SHARD
}
