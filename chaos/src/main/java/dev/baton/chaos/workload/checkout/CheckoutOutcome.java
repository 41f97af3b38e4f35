package dev.baton.chaos.workload.checkout;

/** How one checkout ended; the app maps each case to an HTTP status. */
public sealed interface CheckoutOutcome {

    /** The order exists (written now, or by an earlier attempt with the same key). HTTP 200. */
    record Placed(long orderId, String shard, String idempotencyKey, String dc, int attempts)
            implements CheckoutOutcome {
    }

    /** Retryable errors until the budget ran out; the order may or may not exist, the caller was not told yes. HTTP 503. */
    record BudgetExhausted(String shard, int attempts, String lastError) implements CheckoutOutcome {
    }

    /** The key already names an order of another shop: the client reused a key. HTTP 409. */
    record KeyConflict(String idempotencyKey, long existingShopId) implements CheckoutOutcome {
    }

    /** No turn at the shard's bulkhead within the wait: its writes are held or slow. Nothing was written. HTTP 503. */
    record ShardBusy(String shard, int writesAtOnce, long waitedMs) implements CheckoutOutcome {
    }

    /** A non-retryable database error. HTTP 500. */
    record Failed(String shard, String error) implements CheckoutOutcome {
    }
}
