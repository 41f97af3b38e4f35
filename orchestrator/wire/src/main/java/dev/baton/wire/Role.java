package dev.baton.wire;

/** A database server's role as the topology last recorded it (the servers themselves are the truth). */
public enum Role { PRIMARY, REPLICA }
