package dev.baton.orchestrator.leader;

import dev.baton.orchestrator.config.ZooKeeperConfig;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

import java.util.concurrent.TimeUnit;

/** This coordinator's one ZooKeeper session, under the cluster's namespace. */
public final class ZooKeeperSession implements AutoCloseable {
    private static final int CONNECTION_TIMEOUT_MS = 2000;
    private final CuratorFramework client;

    public ZooKeeperSession(ZooKeeperConfig config) {
        this.client = CuratorFrameworkFactory.builder()
                .connectString(config.connect())
                .namespace(config.namespace())
                .sessionTimeoutMs(config.sessionTimeoutMs())
                .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
                .retryPolicy(new ExponentialBackoffRetry(100, 5, 1000))
                .build();
    }

    /** Connects, waiting at most {@code timeoutMs}; fails naming the connect string. */
    public ZooKeeperSession start(long timeoutMs) {
        client.start();
        try {
            if (!client.blockUntilConnected((int) timeoutMs, TimeUnit.MILLISECONDS)) {
                client.close();
                throw new IllegalStateException("cannot reach ZooKeeper at " + client.getZookeeperClient().getCurrentConnectionString()
                        + " within " + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            client.close();
            throw new IllegalStateException("interrupted while connecting to ZooKeeper", e);
        }
        return this;
    }

    public CuratorFramework client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }
}
