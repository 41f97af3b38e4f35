package dev.baton.orchestrator.hooks;

import dev.baton.orchestrator.events.EventHub;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The two rules of hooks. A pre-hook is a gate: the first that fails stops the others and refuses the
 * change before anything changed. A post-hook is news: every one is tried, and a failed one is handed
 * back for the report and published, never dropped, without undoing the change it reports.
 */
public final class Hooks {
    public static final String DELIVERED = "hook.delivered";
    public static final String FAILED = "hook.failed";

    private final HookClient client;
    private final Consumer<HookResult> results;

    /** @param results gets every result as it comes, e.g. {@link #toEvents} */
    public Hooks(HookClient client, Consumer<HookResult> results) {
        this.client = client;
        this.results = results;
    }

    /** Publishes each result on the event stream as {@value #DELIVERED} or {@value #FAILED}. */
    public static Consumer<HookResult> toEvents(EventHub hub, String failoverId, String step) {
        return result -> hub.publish(result instanceof HookResult.Failed ? FAILED : DELIVERED, failoverId, "", step, result.message());
    }

    /** In order; throws {@link PreHookRefused} at the first failure, leaving the rest unsent. */
    public List<HookResult> before(List<Hook> hooks) {
        List<HookResult> sent = new ArrayList<>();
        for (Hook hook : hooks) {
            HookResult result = client.send(hook);
            results.accept(result);
            if (result instanceof HookResult.Failed failed) throw new PreHookRefused(failed);
            sent.add(result);
        }
        return sent;
    }

    /** Every hook, in order, whatever the others did. */
    public List<HookResult> after(List<Hook> hooks) {
        List<HookResult> sent = new ArrayList<>();
        for (Hook hook : hooks) {
            HookResult result = client.send(hook);
            results.accept(result);
            sent.add(result);
        }
        return sent;
    }

    /** {@link #before}, then {@code change} only if every pre-hook was delivered, then {@link #after}. */
    public <T> Hooked<T> around(List<Hook> pre, Supplier<T> change, List<Hook> post) {
        List<HookResult> preResults = before(pre);
        T outcome = change.get();
        return new Hooked<>(outcome, preResults, after(post));
    }
}
