package dev.baton.agents.probe;

import dev.baton.agents.http.Clients;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.Probe;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.exceptions.HttpClientResponseException;

import java.net.URI;
import java.time.Duration;

/** A GET whose 2xx means healthy, e.g. a checkout app's {@code /health}. */
public final class HttpProber implements Prober, AutoCloseable {
    private final String name;
    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    public HttpProber(String name, URI url, Duration timeout) {
        this.name = name;
        this.url = url;
        this.timeout = timeout;
        this.client = Clients.create(url, timeout);
    }

    @Override
    public HttpProbe run() {
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = client.toBlocking().exchange(HttpRequest.GET(url.getRawPath()), String.class);
            return new HttpProbe(name, url.toString(), response.code(), Elapsed.millisSince(started), null);
        } catch (HttpClientResponseException e) {
            return new HttpProbe(name, url.toString(), e.code(), Elapsed.millisSince(started),
                    name + " at " + url + " answered " + e.code() + ": " + Elapsed.describe(e));
        } catch (RuntimeException e) {
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
}
