package dev.baton.chaos.lab;

import dev.baton.wire.Endpoint;

import java.nio.file.Path;

/**
 * What the lab runs in place of services it cannot have here, in one JVM (process {@value #PROCESS}):
 * a Consul stand-in (not Consul: only the KV and catalog calls Baton makes) and a notification sink
 * that writes what Slack or PagerDuty would have received to {@code notificationsFile}, one JSON line each.
 *
 * @param consul        the Consul stand-in's HTTP API
 * @param notifications the sink; a channel's URL is {@code http://<notifications>/<channel>}
 */
public record StandIns(Endpoint consul, Endpoint notifications, Path notificationsFile) {
    public static final String PROCESS = "stand-ins";
    static final String MAIN = "dev.baton.chaos.standins.StandInsMain";
    static final String NOTIFICATIONS_FILE = "notifications.jsonl";

    public String consulUrl() {
        return "http://" + consul;
    }

    public String notifyUrl(String channel) {
        return "http://" + notifications + "/" + channel;
    }
}
