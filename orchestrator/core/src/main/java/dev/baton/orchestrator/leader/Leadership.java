package dev.baton.orchestrator.leader;

import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Which coordinator leads, by Curator's {@link LeaderLatch} under {@code /leader}.
 * <p>
 * Leading needs both the latch and a live connection: the moment the connection is SUSPENDED
 * or LOST this coordinator stops being leader, before ZooKeeper expires its session, because
 * another coordinator may be elected as soon as it does.
 */
public final class Leadership implements AutoCloseable {
    private final LeaderLatch latch;
    private final String id;
    private final AtomicBoolean connected = new AtomicBoolean(true);
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener connection;
    private final ZooKeeperSession session;

    public Leadership(ZooKeeperSession session, String coordinatorId) {
        this.session = session;
        this.id = coordinatorId;
        this.latch = new LeaderLatch(session.client(), "/leader", coordinatorId, LeaderLatch.CloseMode.NOTIFY_LEADER);
        this.connection = (client, state) -> connectionChanged(state);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                notifyListeners();
            }

            @Override
            public void notLeader() {
                notifyListeners();
            }
        });
    }

    public Leadership start() {
        session.client().getConnectionStateListenable().addListener(connection);
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("coordinator " + id + " cannot join the leader election: " + e.getMessage(), e);
        }
        return this;
    }

    public String id() {
        return id;
    }

    public boolean isLeader() {
        return connected.get() && latch.hasLeadership();
    }

    /** The elected coordinator's id, as ZooKeeper knows it now; empty while none is. */
    public Optional<String> leaderId() {
        try {
            Participant leader = latch.getLeader();
            return leader.isLeader() && !leader.getId().isEmpty() ? Optional.of(leader.getId()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Told {@code true}/{@code false} whenever this coordinator may have gained or lost leadership. */
    public void onChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    private void connectionChanged(ConnectionState state) {
        connected.set(state.isConnected());
        notifyListeners();
    }

    private void notifyListeners() {
        boolean leader = isLeader();
        listeners.forEach(l -> l.accept(leader));
    }

    /** Hands leadership over: the latch's node goes, the next coordinator is elected at once. */
    @Override
    public void close() {
        session.client().getConnectionStateListenable().removeListener(connection);
        try {
            latch.close();
        } catch (IOException e) {
            throw new UncheckedIOException("coordinator " + id + " cannot leave the election: " + e.getMessage(), e);
        } catch (IllegalStateException alreadyClosed) {
            // closing twice is harmless
        }
    }
}
