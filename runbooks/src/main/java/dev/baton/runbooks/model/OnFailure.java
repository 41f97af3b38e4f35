package dev.baton.runbooks.model;

/** What a step's failure (after its retries) does to the failover. */
public enum OnFailure {
    /** Undo the steps done so far, newest first; only before the point of no return. */
    ROLLBACK,
    /** End the failover as failed, undoing nothing. */
    STOP,
    /** Record the failure loudly and go on with the next step. */
    CONTINUE
}
