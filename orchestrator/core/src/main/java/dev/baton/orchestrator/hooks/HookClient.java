package dev.baton.orchestrator.hooks;

import dev.baton.orchestrator.hooks.HookResult.Problem;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Sends hooks: each attempt bounded by {@code timeout}, up to {@code attempts} of them with doubling
 * backoff. Only what may pass retries (no answer, 5xx, 408, 429); any other 4xx is final, since a wrong
 * routing key or URL does not get better. Never throws for a failed hook: it returns
 * {@link HookResult.Failed}.
 */
public final class HookClient {
    private static final int BODY_SHOWN = 200;

    private final Duration timeout;
    private final int attempts;
    private final Duration backoff;
    private final HttpClient http;

    public HookClient(Duration timeout, int attempts, Duration backoff) {
        if (attempts < 1) throw new IllegalArgumentException("hook attempts must be at least 1, not " + attempts);
        this.timeout = timeout;
        this.attempts = attempts;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** 5 s per attempt, 3 attempts, 250 ms then 500 ms between them. */
    public static HookClient withDefaults() {
        return new HookClient(Duration.ofSeconds(5), 3, Duration.ofMillis(250));
    }

    public HookResult send(Hook hook) {
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(hook.url()).timeout(timeout)
                .header("Content-Type", "application/json")
                .method(hook.method(), HttpRequest.BodyPublishers.ofString(hook.body()))
                .build();
        Problem problem = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1 && !pause(backoff.multipliedBy(1L << (attempt - 2)))) {
                return new HookResult.Failed(hook, new Problem.Unreachable("interrupted before attempt " + attempt), attempt - 1, since(start));
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) return new HookResult.Delivered(hook, status, attempt, since(start));
                problem = new Problem.Status(status, shorten(response.body()));
                if (!retryable(status)) return new HookResult.Failed(hook, problem, attempt, since(start));
            } catch (HttpConnectTimeoutException e) {
                problem = new Problem.Unreachable("no connection within " + timeout.toMillis() + " ms");
            } catch (HttpTimeoutException e) {
                problem = new Problem.TimedOut(timeout);
            } catch (ConnectException e) {
                problem = new Problem.Unreachable("connection refused");
            } catch (IOException e) {
                problem = new Problem.Unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new HookResult.Failed(hook, new Problem.Unreachable("interrupted while waiting for the answer"), attempt, since(start));
            }
        }
        return new HookResult.Failed(hook, problem, attempts, since(start));
    }

    private static boolean retryable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String shorten(String body) {
        String line = body.strip().replaceAll("\\s+", " ");
        return line.length() <= BODY_SHOWN ? line : line.substring(0, BODY_SHOWN) + "...";
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
