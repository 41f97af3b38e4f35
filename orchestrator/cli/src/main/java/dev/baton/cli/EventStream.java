package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One coordinator's event stream ({@code GET /api/v1/events}, server-sent events), each event's
 * JSON handed to a listener on the reading thread itself, so a listener that must act the moment
 * an event arrives (a bench killing the coordinator) loses no time to a hand-off.
 */
final class EventStream implements AutoCloseable {
    private static final String GREETING = ": connected to coordinator ";

    private final Stream<String> lines;
    private final String coordinator;
    private final Thread reader;

    private EventStream(Stream<String> lines, String coordinator, Thread reader) {
        this.lines = lines;
        this.coordinator = coordinator;
        this.reader = reader;
    }

    /**
     * Connects, waits for the coordinator's greeting (so no event published after this returns is
     * missed) and reads on a virtual thread until closed or the coordinator goes away.
     */
    static EventStream open(String url, String token, Duration connectTimeout, Consumer<JsonNode> listener) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
        HttpResponse<Stream<String>> response;
        try {
            response = client.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                    .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot open the event stream of " + url + ": " + (e.getCause() == null ? e : e.getCause()), e);
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IllegalStateException("the event stream of " + url + " answered " + response.statusCode());
        }
        Stream<String> lines = response.body();
        CompletableFuture<String> greeted = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().name("events " + url).start(() -> read(lines, greeted, listener));
        try {
            return new EventStream(lines, greeted.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS), reader);
        } catch (ExecutionException | TimeoutException e) {
            lines.close();
            throw new IllegalStateException("the event stream of " + url + " sent no greeting within " + connectTimeout.toMillis() + " ms", e);
        }
    }

    /** The id of the coordinator that serves this stream, as its greeting named it. */
    String coordinator() {
        return coordinator;
    }

    private static void read(Stream<String> lines, CompletableFuture<String> greeted, Consumer<JsonNode> listener) {
        try {
            lines.forEach(line -> {
                if (line.startsWith(GREETING)) {
                    greeted.complete(line.substring(GREETING.length()).strip());
                } else if (line.startsWith("data: ")) {
                    // Every event of this API is one data line of JSON.
                    try {
                        listener.accept(CoordinatorApi.JSON.readTree(line.substring("data: ".length())));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("malformed event: " + line + ": " + e.getOriginalMessage(), e);
                    }
                }
            });
        } catch (UncheckedIOException e) {
            // the coordinator went away (or was killed), or the stream was closed: the end of this stream either way
            if (!(e.getCause() instanceof IOException)) throw e;
        } finally {
            greeted.completeExceptionally(new IllegalStateException("the stream ended before its greeting"));
        }
    }

    @Override
    public void close() throws InterruptedException {
        lines.close();
        reader.join(Duration.ofSeconds(5));
    }
}
