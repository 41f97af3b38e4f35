package dev.baton.orchestrator.mysql;

/**
 * Why a candidate cannot take over from the primary now.
 *
 * @param catchingUp the candidate replicates from the primary and is only behind it: lagging, or its IO
 *                   thread reconnecting after a repoint (no error), as just after the previous move. That
 *                   clears by itself in seconds; anything else (errant GTIDs, a stopped or failing thread,
 *                   the wrong master) needs a person.
 */
public record CandidateProblem(String text, boolean catchingUp) {

    static CandidateProblem needsAPerson(String text) {
        return new CandidateProblem(text, false);
    }

    static CandidateProblem catchingUp(String text) {
        return new CandidateProblem(text, true);
    }
}
