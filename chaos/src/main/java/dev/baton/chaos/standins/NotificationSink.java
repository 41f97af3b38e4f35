package dev.baton.chaos.standins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A STAND-IN for the receivers of Baton's notifications (a Slack webhook, PagerDuty's Events API): it
 * takes a JSON POST on {@code /<channel>} and appends it, with the time and the channel, as one line
 * to a file, so whoever runs the lab reads what Slack or PagerDuty would have received. It answers
 * 202 like PagerDuty; a body that is not JSON gets 400, as both services refuse one.
 */
public final class NotificationSink implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The coordinator config's rule for channel names. */
    private static final Pattern CHANNEL = Pattern.compile("/([A-Za-z0-9_-]+)");

    /** One notification as received. */
    public record Notification(Instant at, String channel, JsonNode body) {
    }

    private final HttpServer server;
    private final Path file;

    private NotificationSink(HttpServer server, Path file) {
        this.server = server;
        this.file = file;
    }

    /** Listens on {@code host:port} (0 for a free one) and appends to {@code file}. */
    public static NotificationSink start(String host, int port, Path file) {
        HttpServer server;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("notification sink could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        NotificationSink sink = new NotificationSink(server, file);
        server.createContext("/", sink::handle);
        server.start();
        return sink;
    }

    public String url(String channel) {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/" + channel;
    }

    /** Every notification in {@code file}, oldest first; none when nothing was received yet. */
    public static List<Notification> read(Path file) {
        if (!Files.exists(file)) return List.of();
        List<Notification> all = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode node = JSON.readTree(line);
                all.add(new Notification(Instant.parse(node.path("at").asText()), node.path("channel").asText(), node.path("body")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the notifications in " + file + ": " + e.getMessage(), e);
        }
        return all;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            var channel = CHANNEL.matcher(exchange.getRequestURI().getPath());
            if (!channel.matches()) {
                reply(exchange, 404, "notification sink: POST to /<channel>, not " + exchange.getRequestURI().getPath());
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")) {
                reply(exchange, 405, "notification sink: POST only, not " + exchange.getRequestMethod());
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            } catch (JsonProcessingException e) {
                reply(exchange, 400, "notification sink: the body is not JSON: " + e.getOriginalMessage());
                return;
            }
            if (body.isMissingNode()) {
                reply(exchange, 400, "notification sink: the body is empty");
                return;
            }
            append(JSON.createObjectNode().put("at", Instant.now().toString()).put("channel", channel.group(1))
                    .set("body", body).toString());
            reply(exchange, 202, "{\"status\":\"success\",\"message\":\"Event processed\"}");
        }
    }

    /** One writer at a time, so that lines never interleave. */
    private synchronized void append(String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 202 ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
