package dev.baton.orchestrator.hooks;

import dev.baton.orchestrator.events.Event;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.hooks.RecordingServer.Reply;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pre/post rules, with real HTTP servers standing for Slack and PagerDuty. */
class HooksTest {
    final HookClient client = new HookClient(Duration.ofMillis(500), 2, Duration.ofMillis(10));

    @Test
    void aFailingPreHookRefusesTheChangeBeforeItRuns() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        EventHub hub = new EventHub();
        AtomicBoolean changed = new AtomicBoolean();
        try (RecordingServer broken = new RecordingServer(n -> Reply.status(500));
             RecordingServer ok = new RecordingServer(n -> Reply.status(200));
             AutoCloseable subscription = hub.subscribe(events::add)) {
            Hooks hooks = new Hooks(client, Hooks.toEvents(hub, "f-1", "approve"));
            List<Hook> pre = List.of(new Hook.Slack(ok.url("/first"), "about to evacuate east"),
                    new Hook.Slack(broken.url("/gate"), "about to evacuate east"), new Hook.Slack(ok.url("/third"), "never sent"));

            assertThatThrownBy(() -> hooks.around(pre, () -> changed.getAndSet(true), List.of(new Hook.Slack(ok.url("/post"), "done"))))
                    .isInstanceOf(PreHookRefused.class)
                    .hasMessage("refused before any change: pre-Slack hook POST " + broken.url("/gate")
                            + " failed after 2 attempts: HTTP 500");
            assertThat(changed).as("the change never ran").isFalse();
            assertThat(ok.received()).extracting(RecordingServer.Received::path).containsExactly("/first");
            assertThat(events).extracting(Event::type).containsExactly(Hooks.DELIVERED, Hooks.FAILED);
            assertThat(events.get(1).failoverId()).isEqualTo("f-1");
            assertThat(events.get(1).step()).isEqualTo("approve");
            assertThat(events.get(1).message()).contains(broken.url("/gate").toString());
        }
    }

    @Test
    void aFailingPostHookIsReportedAndPublishedAndTheOthersStillGo() throws Exception {
        List<HookResult> seen = new CopyOnWriteArrayList<>();
        try (RecordingServer pagerDuty = new RecordingServer(n -> new Reply(400, "Invalid routing key", Duration.ZERO));
             RecordingServer slack = new RecordingServer(n -> Reply.status(200))) {
            Hooks hooks = new Hooks(client, seen::add);
            Hook page = new Hook.PagerDuty(pagerDuty.url("/v2/enqueue"), "bad", Hook.PagerDuty.EventAction.TRIGGER, null,
                    "evacuated east", "baton", Hook.PagerDuty.Severity.INFO);
            Hook chat = new Hook.Slack(slack.url("/done"), "evacuated east");

            Hooked<String> run = hooks.around(List.of(), () -> "switched", List.of(page, chat));

            assertThat(run.outcome()).isEqualTo("switched");
            assertThat(run.post()).hasSize(2);
            assertThat(run.postFailures()).singleElement().satisfies(f -> {
                assertThat(f.hook()).isEqualTo(page);
                assertThat(f.message()).isEqualTo("PagerDuty hook POST " + pagerDuty.url("/v2/enqueue") + " failed: HTTP 400 Invalid routing key");
            });
            assertThat(slack.received()).hasSize(1);
            assertThat(seen).containsExactlyElementsOf(run.post());
        }
    }
}
