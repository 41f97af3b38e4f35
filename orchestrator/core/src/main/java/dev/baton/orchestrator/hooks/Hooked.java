package dev.baton.orchestrator.hooks;

import java.util.List;

/**
 * A change that ran between its hooks.
 *
 * @param pre  every pre-hook, all delivered (else the change would not have run)
 * @param post every post-hook, delivered or not: the report and the event stream show the failed ones
 */
public record Hooked<T>(T outcome, List<HookResult> pre, List<HookResult> post) {
    public Hooked {
        pre = List.copyOf(pre);
        post = List.copyOf(post);
    }

    public List<HookResult.Failed> postFailures() {
        return post.stream().filter(HookResult.Failed.class::isInstance).map(HookResult.Failed.class::cast).toList();
    }
}
