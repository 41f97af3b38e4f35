package dev.baton.agents.probe;

import dev.baton.agents.http.Clients;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.Probe;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A GET whose 2xx means healthy, e.g. a checkout app's {@code /health}. */
public final class HttpProber implements Prober, AutoCloseable {
    private final String name;
    private final URI url;
    private final Duration timeout;
    private final HttpClient client;
    private final HttpRequest request;

    public HttpProber(String name, URI url, Duration timeout) {
        this.name = name;
        this.url = url;
        this.timeout = timeout;
        this.request = Clients.request(url, timeout).GET().build();
        this.client = Clients.create(timeout);
    }

    @Override
    public HttpProbe run() {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = Clients.send(client, request);
            int code = response.statusCode();
            if (code >= 200 && code < 300) return new HttpProbe(name, url.toString(), code, Elapsed.millisSince(started), null);
            return new HttpProbe(name, url.toString(), code, Elapsed.millisSince(started),
                    name + " at " + url + " answered " + code + ": " + abbreviate(response.body()));
        } catch (IOException | RuntimeException e) {
            return new HttpProbe(name, url.toString(), 0, Elapsed.millisSince(started),
                    name + " at " + url + ": " + Elapsed.describe(e));
        }
    }

    @Override
    public Probe failed(String error) {
        return new HttpProbe(name, url.toString(), 0, timeout.toMillis(), name + " at " + url + ": " + error);
    }

    @Override
    public void close() {
        client.close();
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
