package dev.baton.orchestrator.api;

import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Step;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A runbook of the coordinator's catalog as {@code GET /api/v1/runbooks} lists it: enough for a reviewer to
 * tie it to a commit (its file and the file's SHA-256), and for a console to offer it.
 *
 * @param scope  {@code datacenter} or {@code shard}, as runbooks write it
 * @param source {@code shipped} or {@code site}
 */
public record RunbookView(String name, String description, String scope, String source, String file, String sha256) {

    static RunbookView of(RunbookCatalog.Entry e) {
        Runbook r = e.runbook();
        return new RunbookView(e.name(), r.description(), lower(r.scope()), lower(e.source()), e.file(), e.sha256());
    }

    /**
     * One runbook in full, as {@code GET /api/v1/runbooks/{name}} shows it.
     *
     * @param text       the YAML as loaded, byte for byte what {@code sha256} names
     * @param parameters the declared parameters with their defaults
     * @param steps      the forward steps in order, one line each
     * @param rollback   the undo steps
     */
    public record Detail(String name, String description, String scope, String source, String file, String sha256, String text,
                         Map<String, String> parameters, List<StepLine> steps, List<StepLine> rollback) {
        static Detail of(RunbookCatalog.Entry e) {
            Runbook r = e.runbook();
            RunbookView v = RunbookView.of(e);
            return new Detail(v.name(), v.description(), v.scope(), v.source(), v.file(), v.sha256(), e.text(),
                    new TreeMap<>(r.parameters()), lines(r.steps()), lines(r.rollback()));
        }
    }

    /**
     * A step's summary: what it is and what its failure does; its own parameters are in the text.
     *
     * @param retries extra attempts after a failed one
     * @param undo    the rollback step that undoes it, or null
     */
    public record StepLine(String id, String kind, String description, Duration timeout, int retries, String onFailure,
                           boolean pointOfNoReturn, String undo) {
    }

    private static List<StepLine> lines(List<Step> steps) {
        return steps.stream().map(s -> new StepLine(s.id(), s.kind(), s.control().description(), s.control().timeout(),
                s.control().retry().attempts(), lower(s.control().onFailure()), s.control().pointOfNoReturn(), s.control().undo())).toList();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
