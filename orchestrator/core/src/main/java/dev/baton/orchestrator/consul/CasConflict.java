package dev.baton.orchestrator.consul;

/**
 * A check-and-set write lost: the key changed since it was read, so another writer won. Nothing
 * was written by the loser.
 *
 * @see ConsulDirector#apply
 */
public final class CasConflict extends ConsulDirectorException {
    private final String key;
    private final long expectedIndex;
    private final long actualIndex;

    public CasConflict(String consulUrl, String key, long expectedIndex, long actualIndex, String holder) {
        super("Consul at " + consulUrl + ": key " + key + " changed since it was read at index " + expectedIndex
                + " (now " + (actualIndex == 0 ? "deleted" : "index " + actualIndex + ", " + holder)
                + "); another writer won, nothing written");
        this.key = key;
        this.expectedIndex = expectedIndex;
        this.actualIndex = actualIndex;
    }

    public String key() {
        return key;
    }

    public long expectedIndex() {
        return expectedIndex;
    }

    /** 0 when the key is gone. */
    public long actualIndex() {
        return actualIndex;
    }
}
