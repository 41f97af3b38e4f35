package dev.baton.agents.http;

import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.HttpClient;

import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;

/** Micronaut HTTP clients without an application context: the agent is a plain program, not a Micronaut app. */
public final class Clients {
    private Clients() {
    }

    /** A client for {@code base}'s scheme, host and port, whose connect and read each give up after {@code timeout}. */
    public static HttpClient create(URI base, Duration timeout) {
        DefaultHttpClientConfiguration config = new DefaultHttpClientConfiguration();
        config.setConnectTimeout(timeout);
        config.setReadTimeout(timeout);
        // Reports and probes are small and periodic; a redirect would mean a misconfigured URL, not something to follow.
        config.setFollowRedirects(false);
        try {
            return HttpClient.create(URI.create(base.getScheme() + "://" + base.getRawAuthority()).toURL(), config);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad URL " + base + ": " + e.getMessage(), e);
        }
    }
}
