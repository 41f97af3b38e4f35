package dev.baton.orchestrator.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.baton.orchestrator.health.CoordinatorObservation;
import dev.baton.orchestrator.health.DcReach;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Coordinators' observations in ZooKeeper: one ephemeral node per coordinator under
 * {@value #PATH}, so a coordinator's observation goes with its session.
 * <p>
 * This coordinator's is written when what it saw changes, else every {@link #REFRESH} so that
 * readers, who judge age by when they last saw a new version, know it is still alive. Writes run
 * in the background: a slow or absent ZooKeeper never holds up the probing. The other
 * coordinators' are read through a {@link CuratorCache}.
 */
public final class ObservationBoard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ObservationBoard.class);
    static final String PATH = "/health/observations";
    static final Duration REFRESH = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();

    private final CuratorFramework client;
    private final String self;
    private final CuratorCache cache;
    private volatile List<DcReach> lastWritten;
    private volatile Instant lastWrittenAt = Instant.EPOCH;

    /**
     * @param seen told every new version of another coordinator's observation
     * @param gone told the id of a coordinator whose node went (it left or lost its session)
     */
    public ObservationBoard(ZooKeeperSession session, String self, Consumer<CoordinatorObservation> seen, Consumer<String> gone) {
        this.client = session.client();
        this.self = self;
        this.cache = CuratorCache.build(client, PATH);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, node) -> read(node, seen))
                .forDeletes(node -> other(node).ifPresent(gone))
                .build());
    }

    public ObservationBoard start() {
        cache.start();
        return this;
    }

    /** Publishes this coordinator's observation if it changed or the last write is {@link #REFRESH} old. */
    public void publish(CoordinatorObservation observation) {
        if (observation.reach().equals(lastWritten) && Duration.between(lastWrittenAt, observation.at()).compareTo(REFRESH) < 0) {
            return;
        }
        // A restarted coordinator may set the data of the node its old session still holds; when that
        // session expires the node goes, and the next refresh creates it again in the new one.
        lastWritten = observation.reach();
        lastWrittenAt = observation.at();
        try {
            client.create().orSetData().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .inBackground((c, event) -> written(event)).forPath(node(self), JSON.writeValueAsBytes(observation));
        } catch (Exception e) {
            written(e.toString());
        }
    }

    private void written(CuratorEvent event) {
        if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
            written(KeeperException.Code.get(event.getResultCode()).toString());
        }
    }

    /** A failed write is retried at the next round, not after {@link #REFRESH}. */
    private void written(String error) {
        lastWritten = null;
        LOG.warn("coordinator {} cannot publish its observation at {}: {}", self, node(self), error);
    }

    private void read(ChildData node, Consumer<CoordinatorObservation> seen) {
        if (other(node).isEmpty()) return;
        try {
            seen.accept(JSON.readValue(node.getData(), CoordinatorObservation.class));
        } catch (IOException | RuntimeException e) {
            LOG.warn("coordinator {} ignores the unreadable observation at {}: {}", self, node.getPath(), e.getMessage());
        }
    }

    /** The coordinator id of another coordinator's node; empty for the parent and for this coordinator's own. */
    private Optional<String> other(ChildData node) {
        if (!ZKPaths.getPathAndNode(node.getPath()).getPath().equals(PATH)) return Optional.empty();
        String id = ZKPaths.getNodeFromPath(node.getPath());
        return id.equals(self) ? Optional.empty() : Optional.of(id);
    }

    private static String node(String coordinator) {
        return ZKPaths.makePath(PATH, coordinator);
    }

    /** Stops reading; this coordinator's node goes with its session. */
    @Override
    public void close() {
        cache.close();
    }
}
