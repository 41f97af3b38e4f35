package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.orchestrator.config.ConsoleSettings;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.PasswordHash;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Endpoint;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's way in, over real HTTP to a real coordinator (Curator's TestingServer for
 * ZooKeeper; the topology's servers do not exist and nothing here needs them): password logins,
 * session cookies, CSRF, expiry, throttled guessing, the audit trail, the security headers and
 * the console's files. The browser tests (web-console/) drive the same through Chromium.
 */
class ConsoleAccessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLGA_PASSWORD = "correct horse battery staple";
    private static final String VIC_PASSWORD = "viewer's own password";
    private static final String TOKEN = "olga-api-token";
    private static final Map<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    @TempDir
    static Path dir;
    static TestingServer zookeeper;
    static Coordinator coordinator;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = new TestingServer(true);
        ConfigFile file = new ConfigFile(ConfigLoaderTest.topology(), null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(zookeeper.getConnectString(), "console", 4000),
                List.of(new ApiUser("olga", ApiRole.OPERATOR, TokenHash.of(TOKEN), null, PasswordHash.of(OLGA_PASSWORD)),
                        new ApiUser("vic", ApiRole.VIEWER, null, null, PasswordHash.of(VIC_PASSWORD)),
                        new ApiUser("bot", ApiRole.ADMIN, TokenHash.of("bot-token"))),
                List.of(), "audit.jsonl", null, null, null, new ConsoleSettings(3L, 3600L));
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        CoordinatorConfig config = ConfigLoader.load(dir.resolve("coordinator.yaml"));
        assertThat(Files.readString(dir.resolve("coordinator.yaml"))).as("only the hash is stored")
                .contains("passwordBcrypt: $2a$10$").doesNotContain(OLGA_PASSWORD);
        coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) coordinator.close();
        if (zookeeper != null) zookeeper.close();
    }

    @Test
    void aLoginGivesAnHttpOnlyStrictCookieAndTheSessionsCsrfTokenAndTheCookieReadsTheApi() throws Exception {
        HttpResponse<String> login = login("olga", OLGA_PASSWORD, "127.10.0.1");

        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("baton_session=").containsIgnoringCase("HttpOnly").contains("SameSite=Strict", "Path=/");
        JsonNode body = JSON.readTree(login.body());
        assertThat(body.get("user").asText()).isEqualTo("olga");
        assertThat(body.get("role").asText()).isEqualTo("operator");
        assertThat(body.get("csrfToken").asText()).matches("[0-9a-f]{64}");
        assertThat(body.get("idleTimeoutSeconds").asLong()).isEqualTo(3);
        String cookie = cookie(login);

        HttpResponse<String> session = send("GET", "/session", cookie, null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        assertThat(JSON.readTree(session.body()).get("csrfToken").asText()).isEqualTo(body.get("csrfToken").asText());
        assertThat(send("GET", "/health", cookie, null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/health", "baton_session=" + "0".repeat(64), null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aMutationWithTheCookieButWithoutTheCsrfTokenIsRefusedAndAudited() throws Exception {
        HttpResponse<String> login = login("olga", OLGA_PASSWORD, "127.10.0.2");
        String cookie = cookie(login);
        String csrf = JSON.readTree(login.body()).get("csrfToken").asText();

        HttpResponse<String> without = send("POST", "/failovers/f-none/abort", cookie, null, "{}");
        HttpResponse<String> wrong = send("POST", "/failovers/f-none/abort", cookie, "f".repeat(64), "{}");
        HttpResponse<String> with = send("POST", "/failovers/f-none/abort", cookie, csrf, "{}");

        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(without.body()).get("code").asText()).isEqualTo("csrf");
        assertThat(JSON.readTree(without.body()).get("message").asText()).contains("X-CSRF-Token", "missing");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(wrong.body()).get("message").asText()).contains("does not match");
        assertThat(with.statusCode()).as("past the checks, to the failover service: " + with.body()).isEqualTo(404);
        assertThat(audit("olga", "X-CSRF-Token")).isNotEmpty().allSatisfy(e -> assertThat(e.get("outcome").asText()).isEqualTo("csrf"));
    }

    @Test
    void aViewerSessionReadsButCannotChangeAnythingAndMayLogOut() throws Exception {
        HttpResponse<String> login = login("vic", VIC_PASSWORD, "127.10.0.3");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String cookie = cookie(login);
        String csrf = JSON.readTree(login.body()).get("csrfToken").asText();

        HttpResponse<String> abort = send("POST", "/failovers/f-none/abort", cookie, csrf, "{}");
        assertThat(abort.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(abort.body()).get("message").asText()).contains("vic is a viewer", "needs operator");

        HttpResponse<String> logout = send("DELETE", "/session", cookie, csrf, null);
        assertThat(logout.statusCode()).as(logout.body()).isEqualTo(204);
        assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        HttpResponse<String> after = send("GET", "/health", cookie, null, null);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(after.body()).get("message").asText()).contains("log in again");
    }

    @Test
    void aSessionUnusedForItsIdleTimeEndsAndSaysSo() throws Exception {
        String cookie = cookie(login("olga", OLGA_PASSWORD, "127.10.0.4"));
        assertThat(send("GET", "/session", cookie, null, null).statusCode()).isEqualTo(200);

        Thread.sleep(3_300);

        HttpResponse<String> late = send("GET", "/session", cookie, null, null);
        assertThat(late.statusCode()).isEqualTo(401);
        JsonNode error = JSON.readTree(late.body());
        assertThat(error.get("code").asText()).isEqualTo("session_expired");
        assertThat(error.get("message").asText()).contains("without use", "log in again");
    }

    @Test
    void theConsolesOwnPollsDoNotKeepASessionAlive() throws Exception {
        String cookie = cookie(login("olga", OLGA_PASSWORD, "127.10.0.5"));
        long started = System.nanoTime();
        HttpResponse<String> poll;
        do {
            Thread.sleep(500);
            poll = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/health"))
                    .header("Cookie", cookie).header("X-Baton-Background", "1").GET().build());
        } while (poll.statusCode() == 200 && System.nanoTime() - started < 10_000_000_000L);

        assertThat(poll.statusCode()).as("3 s without a request of the user's own, polled every 0.5 s").isEqualTo(401);
        assertThat(JSON.readTree(poll.body()).get("code").asText()).isEqualTo("session_expired");
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(2_900);
    }

    @Test
    void aViewerMayPreviewAPlanButNotStartAFailover() throws Exception {
        HttpResponse<String> login = login("vic", VIC_PASSWORD, "127.10.0.6");
        String cookie = cookie(login);
        String csrf = JSON.readTree(login.body()).get("csrfToken").asText();

        HttpResponse<String> start = send("POST", "/failovers", cookie, csrf, "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"x\"}");
        HttpResponse<String> preview = send("POST", "/failovers", cookie, csrf,
                "{\"from\":\"east\",\"to\":\"west\",\"reason\":\"x\",\"dryRun\":true}");

        assertThat(start.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(start.body()).get("message").asText()).contains("vic is a viewer", "starting a failover needs operator");
        assertThat(preview.statusCode()).as("past the role check, to the planner (whose servers do not exist here): " + preview.body())
                .isNotIn(401, 403);
        assertThat(coordinator.failovers().list()).isEmpty();
    }

    @Test
    void whereCheckoutGoesIsReadLiveAndAPartThatCannotBeReadSaysWhy() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/traffic"))
                .header("Authorization", "Bearer " + TOKEN).GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode traffic = JSON.readTree(r.body());
        // This topology's DNS server and HAProxies do not exist: each part names what failed.
        assertThat(traffic.get("dnsName").asText()).isEqualTo(ConfigLoaderTest.topology().dns().checkoutName());
        assertThat(traffic.get("dnsError").asText()).contains("127.0.0.1:1");
        assertThat(traffic.get("weightsError").asText()).isNotBlank();
    }

    @Test
    void wrongPasswordsAreAuditedAndThenSlowedDownPerUserEvenForTheRightOne() throws Exception {
        // Per user: each attempt from a different address, so only the user's count can be what throttles.
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> wrong = login("olga", "guess " + i, "127.11.0." + i);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(wrong.body()).get("message").asText()).isEqualTo("wrong user name or password");
        }
        HttpResponse<String> fourth = login("olga", "guess 4", "127.11.0.4");
        assertThat(fourth.statusCode()).as("the 4th wrong one is still checked").isEqualTo(401);

        HttpResponse<String> right = login("olga", OLGA_PASSWORD, "127.11.0.5");
        assertThat(right.statusCode()).as("throttled after 4 wrong in a row, even with the right password").isEqualTo(429);
        assertThat(right.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(right.body()).get("message").asText()).contains("too many failed logins for user olga");

        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> login("olga", OLGA_PASSWORD, "127.11.0.6").statusCode() == 200);
        assertThat(audit("", "failed console login as 'olga' from 127.11.0.4")).singleElement()
                .satisfies(e -> assertThat(e.get("outcome").asText()).isEqualTo("bad_password"))
                .satisfies(e -> assertThat(e.get("detail").asText()).contains("4 in a row for this user"));
        assertThat(audit("", "refused: throttled")).isNotEmpty();
        assertThat(audit("olga", "logged in to the console from 127.11.0.6")).hasSize(1);
    }

    @Test
    void guessingManyUsersFromOneAddressIsSlowedDownPerAddress() throws Exception {
        // A different name each time, so only the address's count can be what throttles: 10 wrong ones are free.
        for (int i = 1; i <= 11; i++) {
            assertThat(login("guess-" + i, "whatever", "127.14.0.1").statusCode()).as("attempt " + i).isEqualTo(401);
        }
        HttpResponse<String> next = login("someone-else", "whatever", "127.14.0.1");
        assertThat(next.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(next.body()).get("message").asText()).contains("or from 127.14.0.1");
        assertThat(login("vic", VIC_PASSWORD, "127.14.0.2").statusCode()).as("another address is not held up").isEqualTo(200);
    }

    @Test
    void anUnknownUserAndATokenOnlyUserGetTheSameAnswerAsAWrongPassword() throws Exception {
        for (String user : List.of("nobody", "bot")) {
            HttpResponse<String> r = login(user, "whatever", "127.12.0.1");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(r.body()).get("message").asText()).isEqualTo("wrong user name or password");
        }
        assertThat(audit("", "failed console login as 'nobody'")).singleElement()
                .satisfies(e -> assertThat(e.get("detail").asText()).contains("no console user has this name"));
    }

    @Test
    void wrongTokensAreAuditedAndAnsweredLaterAndLaterWhileARightOneIsNot() throws Exception {
        // This test's requests come from 127.0.0.1; the logins of the others each from an address of their own.
        long[] ms = new long[9];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/health"))
                    .header("Authorization", "Bearer wrong-" + i).GET().build());
            ms[i] = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(401);
        }
        HttpResponse<String> right = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/health"))
                .header("Authorization", "Bearer " + TOKEN).GET().build());

        assertThat(right.statusCode()).isEqualTo(200);
        // 5 free, then 250, 500, 1000, 2000 ms: lower bounds only (a slow machine only makes them longer).
        assertThat(ms[5]).isGreaterThanOrEqualTo(240);
        assertThat(ms[7]).isGreaterThanOrEqualTo(990);
        assertThat(ms[8]).isGreaterThanOrEqualTo(1990);
        List<JsonNode> audited = audit("anonymous", "matches no API user");
        assertThat(audited).hasSizeGreaterThanOrEqualTo(9);
        assertThat(audited.getFirst().get("method").asText()).as("reads too: a wrong token is someone guessing").isEqualTo("GET");
        assertThat(audited.getFirst().get("detail").asText()).contains("in a row from 127.0.0.1", "ms late");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersAndTheConsoleIsServedWithItsLibraries() {
        for (String path : List.of("/console/", "/api/v1/openapi.json", "/console/vendor/uplot/dist/uPlot.esm.js")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(coordinator.url() + path)).GET().build());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                    .contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline"));
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        }
        HttpResponse<String> index = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/console/")).GET().build());
        assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(index.body()).contains("<script type=\"module\"").doesNotContain("https://", "http://");
        HttpResponse<String> echarts = send(HttpRequest.newBuilder(URI.create(coordinator.url()
                + "/console/vendor/echarts/dist/echarts.esm.min.js")).GET().build());
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        HttpResponse<String> root = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/")).GET().build());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/console/");
    }

    @Test
    void theAuditLogAndTheCheckoutSamplesAreReadableAndBadParametersAreNamed() throws Exception {
        login("vic", "not it", "127.13.0.1");
        HttpResponse<String> entries = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/audit?q=127.13.0.1&limit=5"))
                .header("Authorization", "Bearer bot-token").GET().build());
        assertThat(entries.statusCode()).as(entries.body()).isEqualTo(200);
        assertThat(JSON.readTree(entries.body())).singleElement().satisfies(e -> assertThat(e.get("path").asText()).isEqualTo("/api/v1/session"));

        HttpResponse<String> badLimit = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/audit?limit=0"))
                .header("Authorization", "Bearer bot-token").GET().build());
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badLimit.body()).get("message").asText()).contains("limit must be 1 to 5000");

        HttpResponse<String> samples = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/checkouts"))
                .header("Authorization", "Bearer bot-token").GET().build());
        assertThat(samples.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(samples.body()).get("samples").isArray()).isTrue();
        HttpResponse<String> badFrom = send(HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/checkouts?from=yesterday"))
                .header("Authorization", "Bearer bot-token").GET().build());
        assertThat(badFrom.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badFrom.body()).get("message").asText()).contains("ISO-8601", "yesterday");
    }

    /**
     * A login from {@code address}, a loopback address of its own (all of 127/8 reaches the coordinator), so each
     * test's failures count against its own address; the coordinator trusts no forwarding header.
     */
    private static HttpResponse<String> login(String user, String password, String address) {
        HttpClient client = CLIENTS.computeIfAbsent(address, a -> {
            try {
                return HttpClient.newBuilder().localAddress(InetAddress.getByName(a)).connectTimeout(Duration.ofSeconds(5)).build();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        });
        return Http.send(client, HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("user", user).put("password", password).toString()))
                .build());
    }

    private static String cookie(HttpResponse<String> login) {
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return login.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    private static HttpResponse<String> send(String method, String path, String cookie, String csrf, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(coordinator.url() + "/api/v1" + path)).header("Cookie", cookie);
        if (csrf != null) b.header("X-CSRF-Token", csrf);
        if (body != null) b.header("Content-Type", "application/json");
        return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return Http.send(request);
    }

    /** The audit entries by {@code who} (empty: anyone) containing {@code text}, newest first, read through the API. */
    private static List<JsonNode> audit(String who, String text) throws Exception {
        // The audit line is written after the answer: give it a moment.
        Thread.sleep(200);
        String url = coordinator.url() + "/api/v1/audit?limit=5000&q=" + java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8)
                + (who.isEmpty() ? "" : "&who=" + who);
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer bot-token").GET().build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return StreamSupport.stream(JSON.readTree(r.body()).spliterator(), false).toList();
    }

}
