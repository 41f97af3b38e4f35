package dev.baton.orchestrator.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans every event out to whoever listens (the SSE connections, the log) and keeps the last
 * {@link #KEPT} so a reconnecting client can ask for what it missed. Publishing never blocks on a
 * listener.
 */
public final class EventHub {
    public static final int KEPT = 1000;

    private long seq;
    private final Deque<Event> recent = new ArrayDeque<>();
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

    /** Under the lock, so subscribers see events in sequence order and a replay never skips or repeats one. */
    public synchronized Event publish(String type, String failoverId, String shard, String step, String message) {
        Event event = new Event(++seq, Instant.now(), type, failoverId, shard, step, message);
        recent.addLast(event);
        if (recent.size() > KEPT) recent.removeFirst();
        subscribers.forEach(s -> s.accept(event));
        return event;
    }

    /** Listeners must hand the event off (e.g. to an event loop) and return at once. Close to stop listening. */
    public AutoCloseable subscribe(Consumer<Event> subscriber) {
        return subscribe(Long.MAX_VALUE, subscriber);
    }

    /**
     * Like {@link #subscribe(Consumer)}, first replaying the kept events after {@code lastSeen}
     * (an SSE client's Last-Event-ID). Events older than the last {@link #KEPT} are gone.
     */
    public synchronized AutoCloseable subscribe(long lastSeen, Consumer<Event> subscriber) {
        recent.stream().filter(e -> e.seq() > lastSeen).forEach(subscriber);
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }
}
