package dev.baton.agents.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The agent's HTTP: the JDK's own client (java.net.http), HTTP/1.1 with kept-alive connections.
 * It replaced Micronaut's client (Netty and Reactor under it): JFR execution samples of an idle agent
 * put 70 % of its Java time in Netty and Micronaut for three small requests a second.
 */
public final class Clients {
    private Clients() {
    }

    /** A client whose connect gives up after {@code timeout}; each request carries the same {@code timeout} (see {@link #request}). */
    public static HttpClient create(Duration timeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                // Reports and probes are small and periodic; a redirect would mean a misconfigured URL, not something to follow.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A request to {@code url} that fails after {@code timeout} without an answer. */
    public static HttpRequest.Builder request(URI url, Duration timeout) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("bad URL " + url + ": not an http(s) URL with a host");
        }
        return HttpRequest.newBuilder(url).timeout(timeout);
    }

    /** Sends and reads the body as text. */
    public static HttpResponse<String> send(HttpClient client, HttpRequest request) throws java.io.IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }
}
