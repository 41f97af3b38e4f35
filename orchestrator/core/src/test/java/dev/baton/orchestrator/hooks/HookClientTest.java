package dev.baton.orchestrator.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.orchestrator.hooks.Hook.PagerDuty.EventAction;
import dev.baton.orchestrator.hooks.Hook.PagerDuty.Severity;
import dev.baton.orchestrator.hooks.HookResult.Problem;
import dev.baton.orchestrator.hooks.RecordingServer.Reply;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Hooks against a real HTTP server on loopback: what it receives, and each way a call can fail. */
class HookClientTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** No test below waits for this timeout (every server answers at once): it only has to outlast a loaded machine. */
    final HookClient client = new HookClient(Duration.ofSeconds(10), 3, Duration.ofMillis(20));

    @Test
    void aSlackHookPostsItsText() throws Exception {
        try (RecordingServer slack = new RecordingServer(n -> new Reply(200, "ok", Duration.ZERO))) {
            HookResult result = client.send(new Hook.Slack(slack.url("/services/T0/B0/x"), "Evacuating east into west"));

            assertThat(result).isInstanceOf(HookResult.Delivered.class);
            assertThat(((HookResult.Delivered) result).status()).isEqualTo(200);
            assertThat(result.attempts()).isEqualTo(1);
            RecordingServer.Received got = slack.received().getFirst();
            assertThat(got.method()).isEqualTo("POST");
            assertThat(got.path()).isEqualTo("/services/T0/B0/x");
            assertThat(got.contentType()).isEqualTo("application/json");
            assertThat(JSON.readTree(got.body())).isEqualTo(JSON.readTree("{\"text\":\"Evacuating east into west\"}"));
        }
    }

    @Test
    void aPagerDutyHookSendsAnEventsV2Event() throws Exception {
        try (RecordingServer pagerDuty = new RecordingServer(n -> new Reply(202, "{\"status\":\"success\"}", Duration.ZERO))) {
            HookResult trigger = client.send(new Hook.PagerDuty(pagerDuty.url("/v2/enqueue"), "R0UT1NG", EventAction.TRIGGER, null,
                    "checkout failed after evacuating east", "baton-coordinator-1", Severity.CRITICAL));
            HookResult resolve = client.send(new Hook.PagerDuty(pagerDuty.url("/v2/enqueue"), "R0UT1NG", EventAction.RESOLVE, "f-42",
                    "checkout back", "baton-coordinator-1", Severity.INFO));

            assertThat(trigger).isInstanceOf(HookResult.Delivered.class);
            assertThat(resolve).isInstanceOf(HookResult.Delivered.class);
            assertThat(JSON.readTree(pagerDuty.received().get(0).body())).isEqualTo(JSON.readTree("""
                    {"routing_key": "R0UT1NG", "event_action": "trigger",
                     "payload": {"summary": "checkout failed after evacuating east", "source": "baton-coordinator-1", "severity": "critical"}}"""));
            JsonNode second = JSON.readTree(pagerDuty.received().get(1).body());
            assertThat(second.path("event_action").asText()).isEqualTo("resolve");
            assertThat(second.path("dedup_key").asText()).isEqualTo("f-42");
            assertThat(second.path("payload").path("severity").asText()).isEqualTo("info");
        }
    }

    @Test
    void a500IsRetriedThenReportedWithTheUrlAndTheAnswer() {
        try (RecordingServer down = new RecordingServer(n -> new Reply(500, "upstream\n  on fire", Duration.ZERO))) {
            URI url = down.url("/hook");
            HookResult result = client.send(new Hook.Slack(url, "hi"));

            assertThat(result).isInstanceOf(HookResult.Failed.class);
            assertThat(((HookResult.Failed) result).problem()).isEqualTo(new Problem.Status(500, "upstream on fire"));
            assertThat(result.attempts()).isEqualTo(3);
            assertThat(down.received()).hasSize(3);
            assertThat(result.message()).isEqualTo("Slack hook POST " + url + " failed after 3 attempts: HTTP 500 upstream on fire");
        }
    }

    @Test
    void aPassing500IsRetriedIntoADelivery() {
        try (RecordingServer flaky = new RecordingServer(n -> Reply.status(n == 1 ? 503 : 200))) {
            HookResult result = client.send(new Hook.Custom("PUT", flaky.url("/x"), "{\"a\":1}"));
            assertThat(result).isInstanceOf(HookResult.Delivered.class);
            assertThat(result.attempts()).isEqualTo(2);
            assertThat(flaky.received()).extracting(RecordingServer.Received::method).containsExactly("PUT", "PUT");
        }
    }

    @Test
    void aClientErrorIsNotRetried() {
        try (RecordingServer strict = new RecordingServer(n -> new Reply(400, "invalid routing key", Duration.ZERO))) {
            HookResult result = client.send(new Hook.Slack(strict.url("/hook"), "hi"));
            assertThat(result).isInstanceOf(HookResult.Failed.class);
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(strict.received()).hasSize(1);
            assertThat(result.message()).endsWith("failed: HTTP 400 invalid routing key");
        }
    }

    @Test
    void noAnswerWithinTheTimeoutFailsEachAttemptInTime() {
        // Each attempt gives up after 1 s; the server would answer after 60 s. Two attempts in time take about 2 s, and
        // a client that waited for the answer even once would take a minute: far apart, whatever the load.
        HookClient twice = new HookClient(Duration.ofSeconds(1), 2, Duration.ofMillis(10));
        try (RecordingServer slow = new RecordingServer(n -> new Reply(200, "", Duration.ofSeconds(60)))) {
            URI url = slow.url("/slow");
            HookResult result = twice.send(new Hook.Slack(url, "hi"));

            assertThat(result).isInstanceOf(HookResult.Failed.class);
            assertThat(((HookResult.Failed) result).problem()).isEqualTo(new Problem.TimedOut(Duration.ofSeconds(1)));
            assertThat(result.message()).isEqualTo("Slack hook POST " + url + " failed after 2 attempts: no answer within 1000 ms");
            assertThat(result.took()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
        }
    }

    @Test
    void aRefusedConnectionIsNamed() {
        URI url;
        try (RecordingServer gone = new RecordingServer(n -> Reply.status(200))) {
            url = gone.url("/hook");
        }
        HookResult result = client.send(new Hook.Slack(url, "hi"));
        assertThat(result).isInstanceOf(HookResult.Failed.class);
        assertThat(((HookResult.Failed) result).problem()).isEqualTo(new Problem.Unreachable("connection refused"));
        assertThat(result.message()).isEqualTo("Slack hook POST " + url + " failed after 3 attempts: connection refused");
    }
}
