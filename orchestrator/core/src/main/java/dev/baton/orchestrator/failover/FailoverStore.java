package dev.baton.orchestrator.failover;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.leader.ZooKeeperSession;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Failovers persisted in ZooKeeper, so any coordinator can show them and a new leader can pick
 * one up: {@code /failovers/<id>} holds the request, plan and state; {@code /failovers/<id>/shards/<shard>}
 * each shard's progress, written after every step. One node per shard lets shards switching in
 * parallel write without contending for one node.
 * <p>
 * {@code /failovers/<id>/owner} fences the writers: each write goes in one transaction with a check
 * that the owner node still has the version this coordinator gave it (creating or {@link #claim
 * claiming} the failover). Curator retries a write cut by a lost session on its next session, so
 * without the fence a leader that lost its session could overwrite, well after, what the new leader
 * wrote; with it, every write of the old owner fails once the new one claimed the failover.
 */
public final class FailoverStore {
    private static final String ROOT = "/failovers";
    private static final Comparator<Failover> NEWEST_FIRST = Comparator.comparing(Failover::created).reversed();
    private final CuratorFramework zk;
    /** Per failover this coordinator runs, the owner node's version it set. */
    private final Map<String, Integer> owned = new ConcurrentHashMap<>();
    /**
     * Failovers seen ended. An ended failover never runs again, so {@link #running()} reads only the others: the
     * history grows by several a day, and a new leader asks for what runs before it can restore a shard's writes.
     */
    private final Set<String> ended = ConcurrentHashMap.newKeySet();

    public FailoverStore(ZooKeeperSession session) {
        this.zk = session.client();
    }

    /** Writes the failover (without its shards) and every shard's progress. */
    void create(Failover failover) {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path(failover.id()), header(failover));
            zk.create().forPath(ownerPath(failover.id()), failover.coordinator().getBytes(StandardCharsets.UTF_8));
            owned.put(failover.id(), 0);
            for (ShardProgress shard : failover.shards()) {
                zk.create().creatingParentsIfNeeded().forPath(shardPath(failover.id(), shard.shard()), Json.MAPPER.writeValueAsBytes(shard));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot persist failover " + failover.id() + " in ZooKeeper: " + e.getMessage(), e);
        }
    }

    void update(Failover failover) {
        String id = failover.id();
        try {
            zk.transaction().forOperations(fenced(id, zk.transactionOp().setData().forPath(path(id), header(failover))));
            // Nothing writes a finished failover again.
            if (failover.state() != Failover.State.RUNNING) owned.remove(id);
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            throw new IllegalStateException(overtaken("failover " + id), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot persist failover " + id + " in ZooKeeper: " + e.getMessage(), e);
        }
    }

    /**
     * Makes this coordinator the failover's only writer and reads it as it then stands; the writes
     * of the coordinator that ran it before, even those still on their way, fail from here on.
     */
    Optional<Failover> claim(String id, String coordinator) {
        byte[] self = coordinator.getBytes(StandardCharsets.UTF_8);
        try {
            Stat stat = zk.checkExists().forPath(ownerPath(id));
            if (stat == null) {
                // Written before owner nodes existed.
                zk.create().forPath(ownerPath(id), self);
                owned.put(id, 0);
            } else {
                owned.put(id, zk.setData().forPath(ownerPath(id), self).getVersion());
            }
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException("cannot claim failover " + id + " in ZooKeeper: " + e.getMessage(), e);
        }
        return get(id);
    }

    /**
     * Queues the write and returns at once: this runs between the steps of a switchover, inside
     * its write pause, which must not wait for ZooKeeper. One session's requests are applied in
     * order, so the shard's node still goes through every step in turn, and any later synchronous
     * write (the failover's final state) lands after all of them.
     */
    void updateShard(String failoverId, ShardProgress shard, Consumer<String> onFailure) {
        updateShard(failoverId, shard, () -> { }, onFailure);
    }

    /** As {@link #updateShard(String, ShardProgress, Consumer)}, running {@code onSaved} once ZooKeeper has the write. */
    void updateShard(String failoverId, ShardProgress shard, Runnable onSaved, Consumer<String> onFailure) {
        String what = "shard " + shard.shard() + " of failover " + failoverId;
        try {
            CuratorOp write = zk.transactionOp().setData().forPath(shardPath(failoverId, shard.shard()), Json.MAPPER.writeValueAsBytes(shard));
            zk.transaction().inBackground((client, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code == KeeperException.Code.OK) onSaved.run();
                else if (code == KeeperException.Code.BADVERSION) onFailure.accept(overtaken(what));
                else if (code != KeeperException.Code.OK) onFailure.accept("cannot persist " + what + " in ZooKeeper: " + code);
            }).forOperations(fenced(failoverId, write));
        } catch (Exception e) {
            onFailure.accept("cannot persist " + what + " in ZooKeeper: " + e.getMessage());
        }
    }

    public Optional<Failover> get(String id) {
        try {
            Optional<Failover> header = header(id);
            if (header.isEmpty()) return header;
            List<ShardProgress> shards = new ArrayList<>();
            for (String shard : zk.getChildren().forPath(path(id) + "/shards")) {
                shards.add(Json.MAPPER.readValue(zk.getData().forPath(shardPath(id, shard)), ShardProgress.class));
            }
            List<String> order = header.get().plan().shards().stream().map(ShardPlan::shard).toList();
            shards.sort(Comparator.comparingInt(s -> order.indexOf(s.shard())));
            return Optional.of(header.get().withShards(shards));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read failover " + id + " from ZooKeeper: " + e.getMessage(), e);
        }
    }

    /** Every failover, newest first. */
    public List<Failover> list() {
        return list(Integer.MAX_VALUE);
    }

    /**
     * The {@code newest} failovers, newest first. Only those are read (ten nodes each): an id starts with its
     * failover's start time ({@code f-yyyyMMdd-HHmmss-…}), so the ids alone say which they are, and the history
     * grows by several failovers a day.
     */
    public List<Failover> list(int newest) {
        return ids().stream().sorted(Comparator.reverseOrder()).limit(newest).map(this::get).flatMap(Optional::stream)
                .sorted(NEWEST_FIRST).toList();
    }

    /**
     * Failovers still RUNNING in ZooKeeper: running now, or left by a leader that died or lost its session. Reads the
     * header of each failover not yet seen ended, and the shards of those that run only.
     */
    public List<Failover> running() {
        List<String> ids = ids();
        ended.retainAll(new HashSet<>(ids));
        List<Failover> running = new ArrayList<>();
        for (String id : ids) {
            if (ended.contains(id)) continue;
            Optional<Failover> header;
            try {
                header = header(id);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read failover " + id + " from ZooKeeper: " + e.getMessage(), e);
            }
            if (header.isEmpty()) continue;
            if (header.get().state() != Failover.State.RUNNING) ended.add(id);
            else get(id).filter(f -> f.state() == Failover.State.RUNNING).ifPresent(running::add);
        }
        return running.stream().sorted(NEWEST_FIRST).toList();
    }

    private List<String> ids() {
        try {
            return zk.checkExists().forPath(ROOT) == null ? List.of() : zk.getChildren().forPath(ROOT);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list failovers in ZooKeeper: " + e.getMessage(), e);
        }
    }

    /** The failover without its shards; empty when there is no such failover (or it went since it was listed). */
    private Optional<Failover> header(String id) throws Exception {
        try {
            return Optional.of(Json.MAPPER.readValue(zk.getData().forPath(path(id)), Failover.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** The write, after the check of the owner node when this coordinator created or claimed the failover. */
    private List<CuratorOp> fenced(String id, CuratorOp write) throws Exception {
        Integer version = owned.get(id);
        if (version == null) return List.of(write);
        return List.of(zk.transactionOp().check().withVersion(version).forPath(ownerPath(id)), write);
    }

    private static String overtaken(String what) {
        return "cannot persist " + what + " in ZooKeeper: another coordinator has taken it over";
    }

    private static String ownerPath(String id) {
        return path(id) + "/owner";
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
