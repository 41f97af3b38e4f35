package dev.baton.orchestrator.switchover;

import dev.baton.wire.Endpoint;

import java.sql.Connection;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A checkout-like client: one order at a time, each through the writer frontends in turn on a NEW
 * connection as the app user, retried until it is in. An order counts as acknowledged when an
 * insert succeeded, or when a retry finds its key taken (an earlier attempt committed unanswered).
 */
final class RetryingWriter implements AutoCloseable {
    private static final long RETRY_BUDGET_MS = 20_000;

    private final Sql sql;
    private final List<Endpoint> writers;
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final List<String> failedAttempts = new CopyOnWriteArrayList<>();
    private final List<String> givenUp = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    RetryingWriter(Sql sql, List<Endpoint> writers) {
        this.sql = sql;
        this.writers = List.copyOf(writers);
        this.thread = Thread.ofPlatform().name("retrying-writer").start(this::loop);
    }

    private void loop() {
        for (int n = 0; running; n++) {
            String key = UUID.randomUUID().toString();
            Endpoint writer = writers.get(n % writers.size());
            long deadline = System.currentTimeMillis() + RETRY_BUDGET_MS;
            while (true) {
                try (Connection c = sql.app(writer, 3000); Statement st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO orders(idem_key, shop_id, items, total_cents, dc) VALUES ('" + key
                            + "', 1, '[]', 100, 'reconcile-test')");
                    acknowledged.add(key);
                    break;
                } catch (SQLIntegrityConstraintViolationException e) {
                    acknowledged.add(key);
                    break;
                } catch (Exception e) {
                    failedAttempts.add(e.getMessage());
                    if (System.currentTimeMillis() > deadline || !running) {
                        givenUp.add(key);
                        break;
                    }
                    pause(20);
                }
            }
            pause(5);
        }
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    List<String> acknowledged() {
        return List.copyOf(acknowledged);
    }

    int failedAttempts() {
        return failedAttempts.size();
    }

    /** Orders whose retries ran out: with a working recovery, none. */
    List<String> givenUp() {
        return List.copyOf(givenUp);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
