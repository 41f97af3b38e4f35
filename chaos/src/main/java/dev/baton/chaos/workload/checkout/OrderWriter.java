package dev.baton.chaos.workload.checkout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.wire.Endpoint;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes one order into a shard through a writer frontend, retrying connection and read-only
 * errors within the budget. The UNIQUE idem_key makes every attempt idempotent: an attempt whose
 * outcome was unknown (connection lost around COMMIT) is settled by the next one, which either
 * inserts the order or finds it.
 */
final class OrderWriter {
    private static final int ER_DUP_ENTRY = 1062;

    private final WriterConnections connections;
    private final String dc;
    private final CheckoutOptions options;
    private final ObjectMapper json;
    private final LongAdder retries;

    OrderWriter(WriterConnections connections, String dc, CheckoutOptions options, ObjectMapper json, LongAdder retries) {
        this.connections = connections;
        this.dc = dc;
        this.options = options;
        this.json = json;
        this.retries = retries;
    }

    CheckoutOutcome place(CheckoutRequest request, String shard, Endpoint writer) throws InterruptedException {
        String items = itemsJson(request);
        long deadline = System.nanoTime() + options.retryBudget().toNanos();
        for (int attempt = 1; ; attempt++) {
            Connection c = null;
            try {
                c = connections.borrow(writer);
                CheckoutOutcome outcome = insertOrFind(c, request, items, shard, attempt);
                connections.giveBack(writer, c);
                return outcome;
            } catch (SQLException e) {
                if (c != null) connections.discard(c);
                SqlErrors.Kind kind = SqlErrors.classify(e);
                String error = describe(e, shard, writer);
                if (!kind.retryable()) return new CheckoutOutcome.Failed(shard, error);
                long pause = options.backoffAfter(attempt).toNanos();
                // The budget bounds when a retry may start; a first attempt that used it all up by itself
                // (held through a switchover on a starved machine) still gets its one retry.
                if (attempt > 1 && System.nanoTime() + pause >= deadline) {
                    return new CheckoutOutcome.BudgetExhausted(shard, attempt, error);
                }
                retries.increment();
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            }
        }
    }

    private CheckoutOutcome insertOrFind(Connection c, CheckoutRequest request, String items, String shard,
                                         int attempt) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO orders(idem_key, shop_id, items, total_cents, dc, created_at) VALUES (?, ?, ?, ?, ?, NOW(6))",
                Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, request.idempotencyKey());
            insert.setLong(2, request.shopId());
            insert.setString(3, items);
            insert.setLong(4, request.totalCents());
            insert.setString(5, dc);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                if (!keys.next()) throw new SQLException("INSERT returned no generated id");
                return new CheckoutOutcome.Placed(keys.getLong(1), shard, request.idempotencyKey(), dc, attempt);
            }
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_DUP_ENTRY) throw e;
        }
        // The key exists: an earlier attempt (or an earlier request) already wrote this order.
        try (PreparedStatement find = c.prepareStatement("SELECT id, shop_id FROM orders WHERE idem_key = ?")) {
            find.setString(1, request.idempotencyKey());
            try (ResultSet rs = find.executeQuery()) {
                if (!rs.next()) throw new SQLException("idem_key " + request.idempotencyKey()
                        + " reported as duplicate but not found on " + shard);
                long shopId = rs.getLong(2);
                if (shopId != request.shopId()) return new CheckoutOutcome.KeyConflict(request.idempotencyKey(), shopId);
                return new CheckoutOutcome.Placed(rs.getLong(1), shard, request.idempotencyKey(), dc, attempt);
            }
        }
    }

    private String itemsJson(CheckoutRequest request) {
        try {
            return json.writeValueAsString(request.items());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise items", e);
        }
    }

    private static String describe(SQLException e, String shard, Endpoint writer) {
        return "shard " + shard + " via writer " + writer + ": " + e.getErrorCode() + " " + e.getMessage();
    }
}
