package dev.baton.runbooks.model;

import java.time.Duration;

/**
 * What every step has, whatever its kind: how long it may take, how it retries, what its failure does.
 *
 * @param pointOfNoReturn once this step has changed something, a failure rolls forward, never back
 * @param undo            the id of the rollback step that undoes this one, or null
 */
public record StepControl(String id, String description, Duration timeout, Retry retry, OnFailure onFailure,
                          boolean pointOfNoReturn, String undo) {
}
