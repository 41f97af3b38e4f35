package dev.baton.orchestrator.failover;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.NotifyChannel;
import dev.baton.orchestrator.hooks.Hook;
import dev.baton.orchestrator.hooks.HookClient;
import dev.baton.orchestrator.hooks.HookResult;
import dev.baton.orchestrator.hooks.Hooks;
import dev.baton.runbooks.plan.Action;
import dev.baton.runbooks.plan.Plan;
import dev.baton.runbooks.plan.PlannedStep;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How the http-hook and notify steps send, by where they stand in the plan. A hook before the plan's
 * first step that changes something is a pre-hook, a gate: its failure fails the step, so its
 * on-failure decides, and nothing has changed yet to undo. A hook after a change is news: a failure
 * is published ({@value Hooks#FAILED}) and kept as a warning line of the step, which ends DONE,
 * and the failover goes on; it does not undo a change because nobody heard of it.
 */
final class StepHooks {
    /** The step's retries are the engine's for a pre-hook; a post-hook never throws, so it retries here. */
    private static final Duration POST_BACKOFF = Duration.ofMillis(250);
    private static final String WARNING = "WARNING: post-";

    private StepHooks() {
    }

    /** Whether {@code step} comes before every step of {@code plan} that changes something. */
    static boolean isPreHook(Plan plan, PlannedStep step) {
        for (PlannedStep s : plan.steps()) {
            if (s.id().equals(step.id())) return true;
            if (changes(s.action())) return false;
        }
        throw new IllegalArgumentException("step " + step.id() + " is not in the plan of runbook " + plan.runbook());
    }

    /** The kinds that change traffic, primaries or Consul; the others only look, wait or tell. */
    static boolean changes(Action action) {
        return switch (action) {
            case Action.PointRecord p -> true;
            case Action.RestoreRecord r -> true;
            case Action.SetWeights w -> true;
            case Action.SwitchShards s -> true;
            case Action.FlipWriters f -> true;
            case Action.ConsulKv c -> true;
            case Action.ConsulTags c -> true;
            case Action.ConsulRestore r -> true;
            case Action.Check c -> false;
            case Action.Approve a -> false;
            case Action.Call c -> false;
            case Action.Wait w -> false;
            case Action.Checkout c -> false;
            case Action.Message m -> false;
        };
    }

    /**
     * Sends {@code hooks} as the step's position says.
     *
     * @return one line per hook: delivered, or (post-hook) a warning naming the failure
     * @throws dev.baton.orchestrator.hooks.PreHookRefused when a pre-hook failed; the later ones are not sent
     */
    static List<String> send(Evacuation run, PlannedStep step, List<Hook> hooks) {
        Failover failover = run.failover();
        Consumer<HookResult> events = Hooks.toEvents(run.context().events(), failover.id(), step.id());
        Duration timeout = step.timeout();
        if (isPreHook(failover.runbook(), step)) {
            return new Hooks(new HookClient(timeout, 1, Duration.ZERO), events).before(hooks).stream()
                    .map(r -> "pre-" + r.message()).toList();
        }
        int attempts = 1 + step.retry().attempts();
        // Each attempt gets its share, so that all of them fit in the step's timeout.
        HookClient client = new HookClient(timeout.dividedBy(attempts), attempts, POST_BACKOFF);
        List<String> lines = new ArrayList<>();
        for (HookResult r : new Hooks(client, events).after(hooks)) {
            lines.add(r instanceof HookResult.Failed ? WARNING + r.message() : "post-" + r.message());
        }
        return lines;
    }

    /** One hook per named channel, shaped for its kind. */
    static List<Hook> toChannels(Evacuation run, Action.Message message, String text) {
        Map<String, NotifyChannel> channels = run.context().config().channels();
        Failover failover = run.failover();
        List<Hook> hooks = new ArrayList<>();
        for (String name : message.channels()) {
            NotifyChannel channel = channels.get(name);
            if (channel == null) throw new IllegalStateException("notify channel '" + name + "' is not in the coordinator's config");
            URI url = URI.create(channel.url());
            hooks.add(switch (channel.kind()) {
                case SLACK -> new Hook.Slack(url, text);
                // One incident per failover: a later resolve or a second page of the same failover names the same key.
                case PAGERDUTY -> new Hook.PagerDuty(url, channel.routingKey(), Hook.PagerDuty.EventAction.TRIGGER,
                        "baton-failover-" + failover.id(), text, "baton coordinator " + failover.coordinator(),
                        Hook.PagerDuty.Severity.WARNING);
                case WEBHOOK -> new Hook.Custom("POST", url, JsonNodeFactory.instance.objectNode().put("text", text)
                        .put("failover", failover.id()).put("runbook", failover.runbook().runbook())
                        .put("from", failover.request().from()).put("to", failover.request().to()).toString());
            });
        }
        return hooks;
    }

    /**
     * What the plan needs from the coordinator's config that it lacks: unknown notify channels, Consul
     * steps without Consul, hook URLs that are not http(s). Checked before a failover starts.
     */
    static List<String> unconfigured(Plan plan, CoordinatorConfig config) {
        List<String> problems = new ArrayList<>();
        for (PlannedStep step : plan.steps()) {
            switch (step.action()) {
                case Action.Message m -> m.channels().stream().filter(c -> !config.channels().containsKey(c))
                        .forEach(c -> problems.add("step " + step.id() + ": notify channel '" + c + "' is not configured (known: "
                                + (config.channels().isEmpty() ? "none" : String.join(", ", config.channels().keySet())) + ")"));
                case Action.ConsulKv c when config.consul() == null -> problems.add("step " + step.id() + ": no Consul is configured");
                case Action.ConsulTags c when config.consul() == null -> problems.add("step " + step.id() + ": no Consul is configured");
                case Action.Call c when !c.url().matches("https?://\\S+") ->
                        problems.add("step " + step.id() + ": hook URL '" + c.url() + "' is not http(s)://...");
                default -> {
                }
            }
        }
        return problems;
    }
}
