package dev.baton.agents.probe;

import dev.baton.agents.http.Clients;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.Probe;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;

/** A GET whose 2xx means healthy, e.g. a checkout app's {@code /health}. */
public final class HttpProber implements Prober {
    private final String name;
    private final URI url;
    private final Duration timeout;
    private final URL target;

    public HttpProber(String name, URI url, Duration timeout) {
        this.name = name;
        this.url = url;
        this.timeout = timeout;
        this.target = Clients.url(url);
    }

    @Override
    public HttpProbe run() {
        long started = System.nanoTime();
        try {
            Clients.Answer answer = Clients.get(target, timeout);
            if (answer.ok()) return new HttpProbe(name, url.toString(), answer.code(), Elapsed.millisSince(started), null);
            return new HttpProbe(name, url.toString(), answer.code(), Elapsed.millisSince(started),
                    name + " at " + url + " answered " + answer.code() + ": " + answer.body());
        } catch (IOException | RuntimeException e) {
            return new HttpProbe(name, url.toString(), 0, Elapsed.millisSince(started),
                    name + " at " + url + ": " + Elapsed.describe(e));
        }
    }

    @Override
    public Probe failed(String error) {
        return new HttpProbe(name, url.toString(), 0, timeout.toMillis(), name + " at " + url + ": " + error);
    }
}
