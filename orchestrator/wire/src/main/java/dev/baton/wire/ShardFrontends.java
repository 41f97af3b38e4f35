package dev.baton.wire;

/**
 * One shard's frontends in one DC's HAProxy. The writer backend has exactly one server
 * ({@code writerServer}); a switchover changes that server's address, never the frontend.
 */
public record ShardFrontends(String shard, Endpoint writer, String writerBackend, String writerServer,
                             Endpoint reader, String readerBackend) {
}
