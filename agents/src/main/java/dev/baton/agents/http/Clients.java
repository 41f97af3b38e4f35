package dev.baton.agents.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The agent's HTTP: a few small requests a second, each blocking its own thread. The JDK's
 * {@link HttpURLConnection} does that in the calling thread over a kept-alive connection (the JDK's
 * keep-alive cache). It replaced Micronaut's client, measured: JFR put 70 % of an idle agent's Java
 * samples in Netty and Micronaut; {@code java.net.http}, tried next, still took a third of them in its
 * selector and worker threads and their futures.
 */
public final class Clients {
    /** Bodies only go into messages (a health page's complaint, a coordinator's refusal): the head is kept, the rest drained. */
    private static final int MAX_BODY = 200;

    private Clients() {
    }

    /** What came back: the status code and the head of the body as text ("..." when there was more). */
    public record Answer(int code, String body) {
        public boolean ok() {
            return code >= 200 && code < 300;
        }
    }

    /** Refuses anything but an http(s) URL with a host, so that a bad URL fails at start, not at the first request. */
    public static URL url(URI uri) {
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("bad URL " + uri + ": not an http(s) URL with a host");
        }
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bad URL " + uri + ": " + e.getMessage(), e);
        }
    }

    public static Answer get(URL url, Duration timeout) throws IOException {
        return exchange(url, "GET", timeout, Map.of(), null);
    }

    public static Answer post(URL url, Duration timeout, Map<String, String> headers, String body) throws IOException {
        return exchange(url, "POST", timeout, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Answer exchange(URL url, String method, Duration timeout, Map<String, String> headers, byte[] body)
            throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        try {
            int millis = Math.toIntExact(timeout.toMillis());
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            // A redirect would mean a misconfigured URL, not something to follow.
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestMethod(method);
            headers.forEach(connection::setRequestProperty);
            if (body != null) {
                connection.setDoOutput(true);
                // Not streaming mode: for a streamed POST the JDK first checks a kept-alive connection with a 1 ms
                // timed read that ends in a SocketTimeoutException, every request (JFR: a third of the reporter's CPU).
                // Buffered, a body of a few kB costs nothing, and a stale connection is retried once by the JDK.
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            int code = connection.getResponseCode();
            InputStream in = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
            // Reading to the end and closing the stream (not disconnecting) returns the connection to the keep-alive cache.
            return new Answer(code, in == null ? "" : read(in));
        } catch (IOException | RuntimeException e) {
            connection.disconnect(); // a broken exchange must not leave its connection for the next one
            throw e;
        }
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            byte[] head = in.readNBytes(MAX_BODY);
            boolean more = in.transferTo(OutputStream.nullOutputStream()) > 0;
            return new String(head, StandardCharsets.UTF_8).strip() + (more ? "..." : "");
        }
    }
}
