package dev.baton.orchestrator.events;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Fans every event out to whoever listens (the SSE connections, the log). Publishing never blocks on a listener. */
public final class EventHub {
    private final AtomicLong seq = new AtomicLong();
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

    public Event publish(String type, String failoverId, String shard, String step, String message) {
        Event event = new Event(seq.incrementAndGet(), Instant.now(), type, failoverId, shard, step, message);
        subscribers.forEach(s -> s.accept(event));
        return event;
    }

    /** Listeners must hand the event off (e.g. to an event loop) and return at once. Close to stop listening. */
    public AutoCloseable subscribe(Consumer<Event> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }
}
