package dev.baton.console;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.baton.chaos.bench.ingest.SyntheticReports;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConsoleSettings;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.PasswordHash;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.coordinator.Coordinator;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console at the size, 3 DCs x 16 shards, without a lab of 96 MariaDB servers: a real
 * coordinator (Curator's TestingServer for ZooKeeper) on a topology whose servers do not exist,
 * fed agents' reports shaped like real ones (the ingest bench's synthetic reports, over HTTP with
 * the agents' tokens). Sessions here end after 3 s without use, for the expiry test.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class ConsoleScaleBrowserTest {
    private static final List<String> DCS = List.of("east", "west", "south");
    private static final int SHARDS = 16;
    private static final int LOADS = 7;

    @TempDir
    static Path dir;
    static TestingServer zookeeper;
    static Coordinator coordinator;
    static Chromium chromium;
    static ConsolePages pages;
    static ScheduledExecutorService agents;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = new TestingServer(true);
        Topology topology = topology();
        ConfigFile file = new ConfigFile(topology, null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", ConsoleLab.freePort()))),
                new ZooKeeperConfig(zookeeper.getConnectString(), "scale", 4000),
                List.of(new ApiUser("sre", ApiRole.OPERATOR, null, null, PasswordHash.of(ConsoleLab.PASSWORDS.get("sre")))),
                DCS.stream().map(dc -> new AgentAccount("agent-" + dc, dc, TokenHash.of("token-" + dc))).toList(),
                "audit.jsonl", null, null, null, new ConsoleSettings(3L, 3600L));
        ConfigLoader.write(file, dir.resolve("coordinator.yaml"));
        coordinator = Coordinator.start(ConfigLoader.load(dir.resolve("coordinator.yaml")), "c-east", SwitchoverOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
        SyntheticReports reports = new SyntheticReports(topology);
        HttpClient http = HttpClient.newHttpClient();
        AtomicLong sequence = new AtomicLong();
        agents = Executors.newSingleThreadScheduledExecutor();
        agents.scheduleAtFixedRate(() -> {
            for (String dc : DCS) {
                HealthReport report = reports.report("agent-" + dc, dc, sequence.incrementAndGet(), Instant.now());
                try {
                    http.send(HttpRequest.newBuilder(URI.create(coordinator.url() + HealthReport.PATH))
                            .header("Authorization", "Bearer token-" + dc).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(report.toJson())).build(), HttpResponse.BodyHandlers.discarding());
                } catch (Exception e) {
                    System.err.println("synthetic report of " + dc + " not delivered: " + e);
                }
            }
        }, 0, 1, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> coordinator.health().snapshot().shards().size() == SHARDS
                && coordinator.health().agents().size() == DCS.size());
        chromium = new Chromium();
        pages = new ConsolePages(chromium.browser, coordinator.url() + "/console/");
    }

    @AfterAll
    static void stop() throws Exception {
        if (agents != null) agents.shutdownNow();
        if (chromium != null) chromium.close();
        if (coordinator != null) coordinator.close();
        if (zookeeper != null) zookeeper.close();
    }

    /** From a fresh page's navigation start until all 48 shard rows show where their primary is and every replica's lag. */
    @Test
    void a_theOverviewOf3DcsBy16ShardsRenders() {
        try (BrowserContext context = pages.context(1280, 800)) {
            pages.loggedIn(context, "sre").close();
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < LOADS; i++) {
                Page page = context.newPage();
                page.navigate(pages.url() + "#/overview");
                page.waitForFunction("n => document.querySelectorAll('[data-testid=shard-row]').length === n"
                        + " && document.querySelectorAll('[data-testid=lag-cell][data-state=replica]').length === 2 * n"
                        + " && document.querySelectorAll('[data-testid=dc-card][data-verdict]').length === 3", SHARDS,
                        new Page.WaitForFunctionOptions().setTimeout(30_000).setPollingInterval(10));
                ms.add(((Number) page.evaluate("() => performance.now()")).doubleValue());
                if (i == LOADS - 1) pages.check(page, "overview-3x16");
                page.close();
            }
            List<Double> sorted = ms.stream().sorted().toList();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("loads", LOADS);
            figures.put("firstMs", Math.round(ms.getFirst()));
            figures.put("medianMs", Math.round(sorted.get(sorted.size() / 2)));
            figures.put("maxMs", Math.round(sorted.getLast()));
            figures.put("allMs", ms.stream().map(Math::round).toList());
            ConsoleFigures.record("overview3x16", figures);
            // The target is 1 s (the note quotes the figures); this bound only catches a page that is broken or hangs.
            assertThat(sorted.get(sorted.size() / 2)).isLessThan(5000);
        }
    }

    @Test
    void b_aSessionLeftAloneEndsAndThePageSaysSoAtTheLogin() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            assertThat(page.locator("[data-testid=shard-row]")).hasCount(SHARDS);
            // Only the overview's own polls from here on: they do not keep the session alive.
            page.locator("#login-form").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(15_000));
            assertThat(page.locator("#login-notice, #login-error").first()).containsText("without use");
            pages.check(page, "login-session-expired");
        }
    }

    private static Topology topology() {
        Endpoint nowhere = new Endpoint("127.0.0.1", 1);
        List<Datacenter> dcs = new ArrayList<>();
        for (int d = 0; d < DCS.size(); d++) {
            List<ShardFrontends> frontends = new ArrayList<>();
            for (int s = 1; s <= SHARDS; s++) {
                frontends.add(new ShardFrontends("s" + s, nowhere, "s" + s + "_writer", "primary", nowhere, "s" + s + "_reader"));
            }
            dcs.add(new Datacenter(DCS.get(d), "127.0.10." + (d + 1), nowhere, nowhere, frontends, new CheckoutFrontend(nowhere, "b_checkout")));
        }
        List<Shard> shards = new ArrayList<>();
        for (int s = 1; s <= SHARDS; s++) {
            List<DbServer> servers = new ArrayList<>();
            for (int d = 0; d < DCS.size(); d++) {
                // Primaries spread over the DCs, as after a partial evacuation.
                Role role = (s % DCS.size()) == d ? Role.PRIMARY : Role.REPLICA;
                servers.add(new DbServer("s" + s + "-" + DCS.get(d), "s" + s, DCS.get(d), new Endpoint("127.0.0.1", 20000 + s * 10 + d), role));
            }
            shards.add(new Shard("s" + s, s - 1, servers));
        }
        return new Topology("scale", dcs, shards, new Dns("example.test.", "checkout.example.test.", 1, nowhere, "http://127.0.0.1:1", "k"),
                nowhere, new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }
}
