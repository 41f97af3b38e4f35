package dev.baton.orchestrator.failover;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Failovers persisted in ZooKeeper, so any coordinator can show them and a new leader can pick
 * one up: {@code /failovers/<id>} holds the request, plan and state; {@code /failovers/<id>/shards/<shard>}
 * each shard's progress, written after every step. One node per shard lets shards switching in
 * parallel write without contending for one node.
 */
public final class FailoverStore {
    private static final String ROOT = "/failovers";
    private final CuratorFramework zk;

    public FailoverStore(ZooKeeperSession session) {
        this.zk = session.client();
    }

    /** Writes the failover (without its shards) and every shard's progress. */
    void create(Failover failover) {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path(failover.id()), header(failover));
            for (ShardProgress shard : failover.shards()) {
                zk.create().creatingParentsIfNeeded().forPath(shardPath(failover.id(), shard.shard()), Json.MAPPER.writeValueAsBytes(shard));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot persist failover " + failover.id() + " in ZooKeeper: " + e.getMessage(), e);
        }
    }

    void update(Failover failover) {
        try {
            zk.setData().forPath(path(failover.id()), header(failover));
        } catch (Exception e) {
            throw new IllegalStateException("cannot persist failover " + failover.id() + " in ZooKeeper: " + e.getMessage(), e);
        }
    }

    /**
     * Queues the write and returns at once: this runs between the steps of a switchover, inside
     * its write pause, which must not wait for ZooKeeper. One session's requests are applied in
     * order, so the shard's node still goes through every step in turn, and any later synchronous
     * write (the failover's final state) lands after all of them.
     */
    void updateShard(String failoverId, ShardProgress shard, Consumer<String> onFailure) {
        String what = "shard " + shard.shard() + " of failover " + failoverId;
        try {
            zk.setData().inBackground((client, event) -> {
                if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
                    onFailure.accept("cannot persist " + what + " in ZooKeeper: " + KeeperException.Code.get(event.getResultCode()));
                }
            }).forPath(shardPath(failoverId, shard.shard()), Json.MAPPER.writeValueAsBytes(shard));
        } catch (Exception e) {
            onFailure.accept("cannot persist " + what + " in ZooKeeper: " + e.getMessage());
        }
    }

    public Optional<Failover> get(String id) {
        try {
            Failover header = Json.MAPPER.readValue(zk.getData().forPath(path(id)), Failover.class);
            List<ShardProgress> shards = new ArrayList<>();
            for (String shard : zk.getChildren().forPath(path(id) + "/shards")) {
                shards.add(Json.MAPPER.readValue(zk.getData().forPath(shardPath(id, shard)), ShardProgress.class));
            }
            List<String> order = header.plan().shards().stream().map(ShardPlan::shard).toList();
            shards.sort(Comparator.comparingInt(s -> order.indexOf(s.shard())));
            return Optional.of(header.withShards(shards));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read failover " + id + " from ZooKeeper: " + e.getMessage(), e);
        }
    }

    /** Every failover, newest first. */
    public List<Failover> list() {
        List<String> ids;
        try {
            ids = zk.checkExists().forPath(ROOT) == null ? List.of() : zk.getChildren().forPath(ROOT);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list failovers in ZooKeeper: " + e.getMessage(), e);
        }
        return ids.stream().map(this::get).flatMap(Optional::stream)
                .sorted(Comparator.comparing(Failover::created).reversed()).toList();
    }

    /** Failovers still RUNNING in ZooKeeper: running now, or left by a leader that died or lost its session. */
    public List<Failover> running() {
        return list().stream().filter(f -> f.state() == Failover.State.RUNNING).toList();
    }

    private static byte[] header(Failover failover) throws JsonProcessingException {
        return Json.MAPPER.writeValueAsBytes(failover.withShards(List.of()));
    }

    private static String path(String id) {
        return ROOT + "/" + id;
    }

    private static String shardPath(String id, String shard) {
        return path(id) + "/shards/" + shard;
    }
}
