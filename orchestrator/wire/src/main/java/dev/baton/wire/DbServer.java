package dev.baton.wire;

/**
 * One MariaDB server of a shard.
 *
 * @param id    unique in the topology, e.g. {@code s1-east}
 * @param shard the shard's name
 * @param dc    the datacenter it lives in
 * @param role  its role when the topology was written
 */
public record DbServer(String id, String shard, String dc, Endpoint endpoint, Role role) {
}
