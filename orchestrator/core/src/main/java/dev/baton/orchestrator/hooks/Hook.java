package dev.baton.orchestrator.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;

/** An HTTP call made before or after a change, to tell people or systems; one record per body shape. */
public sealed interface Hook {
    URI url();

    String method();

    /** The request body, JSON. */
    String body();

    /** For errors and reports: which kind of hook, and where it goes. */
    default String describe() {
        String kind = switch (this) {
            case Slack s -> "Slack hook";
            case PagerDuty p -> "PagerDuty hook";
            case Custom c -> "hook";
        };
        return kind + " " + method() + " " + url();
    }

    /** A Slack incoming webhook: {@code {"text": ...}}. */
    record Slack(URI url, String text) implements Hook {
        @Override
        public String method() {
            return "POST";
        }

        @Override
        public String body() {
            return JsonNodeFactory.instance.objectNode().put("text", text).toString();
        }
    }

    /**
     * A PagerDuty Events API v2 event.
     *
     * @param dedupKey null to let PagerDuty choose; needed to acknowledge or resolve an earlier trigger
     */
    record PagerDuty(URI url, String routingKey, EventAction action, String dedupKey, String summary, String source,
                     Severity severity) implements Hook {
        @Override
        public String method() {
            return "POST";
        }

        @Override
        public String body() {
            ObjectNode event = JsonNodeFactory.instance.objectNode().put("routing_key", routingKey)
                    .put("event_action", action.name().toLowerCase());
            if (dedupKey != null) event.put("dedup_key", dedupKey);
            event.putObject("payload").put("summary", summary).put("source", source)
                    .put("severity", severity.name().toLowerCase());
            return event.toString();
        }

        public enum EventAction { TRIGGER, ACKNOWLEDGE, RESOLVE }

        public enum Severity { CRITICAL, ERROR, WARNING, INFO }
    }

    /** A runbook's own call: method, URL and body as the runbook wrote them. */
    record Custom(String method, URI url, String body) implements Hook {
    }
}
