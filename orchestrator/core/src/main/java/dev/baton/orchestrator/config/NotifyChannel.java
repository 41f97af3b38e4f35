package dev.baton.orchestrator.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a runbook's {@code notify} step with {@code channels: [name]} sends its message; the config
 * maps each channel name to one of these.
 * <p>
 * The routing key is kept as written, not hashed like the API tokens: Baton must send it to
 * PagerDuty, so it needs the secret itself. It is protected the way the rest of the config is: the
 * file is written mode 600.
 *
 * @param routingKey the PagerDuty integration key; only for {@code pagerduty}, required there
 */
public record NotifyChannel(Kind kind, String url, String routingKey) {
    public NotifyChannel {
        Required.present(kind, "kind");
        Required.present(url, "url");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url '" + url + "' is not a URL: " + e.getReason());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("url '" + url + "' is not http(s)://host/...");
        }
        if (kind == Kind.PAGERDUTY) Required.present(routingKey, "routingKey");
        else if (routingKey != null) throw new IllegalArgumentException("field 'routingKey' is for pagerduty channels only, not " + kind.name().toLowerCase());
    }

    /** The body shape the channel gets. */
    public enum Kind {
        /** A Slack incoming webhook: {@code {"text": ...}}. */
        SLACK,
        /** PagerDuty Events API v2: a trigger event with the routing key. */
        PAGERDUTY,
        /** Any other receiver: a small JSON document with the message and the failover. */
        WEBHOOK
    }

    @Override
    public String toString() {
        // The routing key is a secret: never in logs or error messages.
        return "NotifyChannel[kind=" + kind + ", url=" + url + (routingKey == null ? "" : ", routingKey=***") + "]";
    }
}
