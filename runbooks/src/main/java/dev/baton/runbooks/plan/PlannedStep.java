package dev.baton.runbooks.plan;

import dev.baton.runbooks.model.OnFailure;
import dev.baton.runbooks.model.Retry;

import java.time.Duration;

/**
 * One step of a plan: the runbook step's control settings and its resolved {@link Action}.
 *
 * @param undo the id of the plan's rollback step that undoes this one, or null
 */
public record PlannedStep(String id, String kind, String description, Duration timeout, Retry retry, OnFailure onFailure,
                          boolean pointOfNoReturn, String undo, Action action) {
}
