package dev.baton.orchestrator.hooks;

/** A pre-hook failed, so the change it guards was refused before anything changed. */
public final class PreHookRefused extends RuntimeException {
    private final HookResult.Failed failure;

    public PreHookRefused(HookResult.Failed failure) {
        super("refused before any change: pre-" + failure.message());
        this.failure = failure;
    }

    public HookResult.Failed failure() {
        return failure;
    }
}
