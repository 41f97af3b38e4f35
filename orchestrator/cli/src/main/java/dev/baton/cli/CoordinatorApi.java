package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator API as the CLI calls it: java.net.http and JSON trees, nothing of the
 * coordinator's code, like any other client. Tries each coordinator in turn when one cannot be
 * reached, and follows a follower's {@code not_leader} answer to the leader once.
 */
final class CoordinatorApi {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer with its status; {@code body} is a JSON tree ({@code {code, message}} for errors). */
    record Answer(int status, JsonNode body, String from) {
        boolean ok() {
            return status / 100 == 2;
        }

        String error() {
            return "refused by " + from + " (" + status + " " + body.path("code").asText("?") + "): " + body.path("message").asText(body.toString());
        }
    }

    private final List<String> urls;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    CoordinatorApi(List<String> urls, String token) {
        if (urls.isEmpty()) throw new IllegalArgumentException("no coordinator URL to call");
        this.urls = List.copyOf(urls);
        this.token = token;
    }

    Answer get(String path) {
        return call("GET", path, null);
    }

    Answer post(String path, JsonNode body) {
        return call("POST", path, body.toString());
    }

    private Answer call(String method, String path, String body) {
        List<String> unreachable = new ArrayList<>();
        for (String url : urls) {
            try {
                Answer answer = send(url, method, path, body);
                if (answer.status() == 409 && answer.body().path("code").asText().equals("not_leader")
                        && !answer.body().path("leader").asText().isEmpty()) {
                    return send(answer.body().get("leader").asText(), method, path, body);
                }
                return answer;
            } catch (IOException e) {
                unreachable.add(url + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new IllegalStateException("no coordinator answers " + method + " " + path + ": " + String.join(", ", unreachable));
    }

    private Answer send(String url, String method, String path, String body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stripSlash(url) + "/api/v1" + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        request = body == null ? request.GET()
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            return new Answer(response.statusCode(), json, url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
