package dev.baton.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A failover request is asked again only while the coordinator says candidates are catching up, and a bounded number of times. */
class CatchingUpTest {
    private static final String LAGGING = """
            {"code":"not_ready","message":"not ready to fail over from west to east: s3: candidate s3-east is lagging 2 s behind","catchingUp":true}""";
    private static final String STUCK = """
            {"code":"not_ready","message":"not ready to fail over from west to east: s3: candidate s3-east has errant GTIDs","catchingUp":false}""";
    private static final String STARTED = """
            {"id":"f-1","state":"RUNNING"}""";

    private HttpServer server;
    private final AtomicInteger posts = new AtomicInteger();
    private final List<String> logged = new ArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void aRefusalOfCandidatesCatchingUpIsAskedAgainUntilItGoesThroughAndCounted() throws Exception {
        CoordinatorApi api = coordinator(new String[]{"409", LAGGING}, new String[]{"409", LAGGING}, new String[]{"201", STARTED});
        CatchingUp.Asked asked = CatchingUp.post(api, request(), logged::add, Duration.ofMillis(10), 5);
        assertThat(asked.answer().ok()).isTrue();
        assertThat(asked.answer().body().path("id").asText()).isEqualTo("f-1");
        assertThat(asked.retries()).isEqualTo(2);
        assertThat(posts).hasValue(3);
        assertThat(logged).hasSize(2).first().asString().contains("candidates still catching up", "is lagging 2 s", "1 of at most 5");
    }

    @Test
    void aRefusalThatNeedsAPersonIsNotAskedAgain() throws Exception {
        CoordinatorApi api = coordinator(new String[]{"409", STUCK}, new String[]{"201", STARTED});
        CatchingUp.Asked asked = CatchingUp.post(api, request(), logged::add, Duration.ofMillis(10), 5);
        assertThat(asked.answer().status()).isEqualTo(409);
        assertThat(asked.retries()).isZero();
        assertThat(posts).hasValue(1);
        assertThat(asked.error()).contains("errant GTIDs").doesNotContain("more time");
    }

    @Test
    void aCandidateThatDoesNotCatchUpIsStillRefusedAfterTheBoundSayingHowLongItWasAskedAgain() throws Exception {
        CoordinatorApi api = coordinator(new String[]{"409", LAGGING});
        CatchingUp.Asked asked = CatchingUp.post(api, request(), logged::add, Duration.ofMillis(10), 3);
        assertThat(asked.answer().status()).isEqualTo(409);
        assertThat(asked.retries()).isEqualTo(3);
        assertThat(posts).hasValue(4);
        assertThat(asked.error()).contains("(409 not_ready)", "is lagging 2 s", "(still so after asking 3 more time(s) over 30 ms)");
    }

    /** A coordinator that answers POST /api/v1/failovers with each status and body in turn, the last one from then on. */
    private CoordinatorApi coordinator(String[]... answers) throws IOException {
        ConcurrentLinkedQueue<String[]> queue = new ConcurrentLinkedQueue<>(List.of(answers));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/failovers", exchange -> {
            posts.incrementAndGet();
            String[] answer = queue.size() > 1 ? queue.poll() : queue.peek();
            byte[] body = answer[1].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(Integer.parseInt(answer[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return new CoordinatorApi(List.of("http://127.0.0.1:" + server.getAddress().getPort()), "token");
    }

    private static com.fasterxml.jackson.databind.JsonNode request() {
        return CoordinatorApi.JSON.createObjectNode().put("from", "west").put("to", "east").put("reason", "test");
    }
}
