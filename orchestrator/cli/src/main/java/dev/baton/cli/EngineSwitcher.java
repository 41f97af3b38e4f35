package dev.baton.cli;

import dev.baton.chaos.bench.ShardSwitcher;
import dev.baton.orchestrator.switchover.SwitchoverEngine;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.orchestrator.switchover.SwitchoverResult;
import dev.baton.wire.Topology;

import java.util.List;

/** The orchestrator's switchover engine, as the benchmark sees it (chaos never links the orchestrator). */
final class EngineSwitcher implements ShardSwitcher {
    private final SwitchoverEngine engine;

    EngineSwitcher(Topology topology, boolean naive) {
        this.engine = new SwitchoverEngine(topology, options(naive, 8));
    }

    static SwitchoverOptions options(boolean naive, int concurrency) {
        SwitchoverOptions defaults = SwitchoverOptions.defaults().withConcurrency(concurrency);
        return naive ? defaults.withMode(SwitchoverOptions.Mode.NAIVE) : defaults;
    }

    @Override
    public List<Outcome> switchAll(List<String> shards, String toDc) {
        return engine.switchoverEach(shards, toDc).stream()
                .map(r -> new Outcome(r.shard(), switched(r), describe(r), r.writePauseMs(), r.wallMs(), r.catchingUp()))
                .toList();
    }

    static boolean switched(SwitchoverResult r) {
        return r.outcome() == SwitchoverResult.Outcome.SWITCHED;
    }

    static String describe(SwitchoverResult r) {
        if (r.outcome() == SwitchoverResult.Outcome.CHECKED) {
            return "%s: would switch %s → %s (dry run: checked in %.0f ms, nothing changed)".formatted(r.shard(), r.fromServer(),
                    r.toServer(), r.wallMs());
        }
        return "%s: %s → %s %s in %.0f ms (write pause %.0f ms)%s".formatted(r.shard(), r.fromServer(), r.toServer(),
                r.outcome(), r.wallMs(), r.writePauseMs(), r.reason() == null || r.reason().isBlank() ? "" : ": " + r.reason());
    }
}
