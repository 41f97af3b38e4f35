package dev.baton.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.baton.orchestrator.failover.Failover;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in Debian's chromium against a real lab (2 DCs x 2 shards) and a real coordinator:
 * what an SRE does with it, in order. Each test has its own browser context (own cookies). Every
 * page visited is screenshotted to web-console/target/screenshots/ and checked with axe-core.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class ConsoleBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TIMEOUT_MS = 120_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static ConsoleLab lab;
    static Chromium chromium;
    static ConsolePages pages;
    /** The evacuation test's failover, for the pages after it. */
    static String evacuationId;

    @BeforeAll
    static void start() throws Exception {
        lab = ConsoleLab.up(dir, 2, null);
        chromium = new Chromium();
        pages = new ConsolePages(chromium.browser, lab.consoleUrl());
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            if (lab != null) lab.close();
        }
    }

    @Test
    void a_aWrongPasswordIsRefusedWithTheCoordinatorsMessage() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = context.newPage();
            page.navigate(pages.url());
            page.locator("#login-user").fill("sre");
            page.locator("#login-password").fill("not the password");
            page.locator("#login-submit").click();

            assertThat(page.locator("#login-error")).containsText("wrong user name or password");
            assertThat(page.locator("#main-nav")).isHidden();
            pages.check(page, "login-refused");
        }
        assertThat(audit("failed console login as 'sre'")).as("audited, with the address").isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("detail").asText()).contains("from 127.0.0.1"));
    }

    @Test
    void b_theOverviewShowsEveryDcShardPrimaryAndReplicaLagAndWhereCheckoutGoes() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            assertThat(page.locator("#session-role")).containsText("operator");
            Locator east = page.locator("[data-testid=dc-card][data-dc=east]");
            assertThat(east).hasAttribute("data-verdict", "HEALTHY");
            assertThat(page.locator("[data-testid=dc-card][data-dc=west]")).hasAttribute("data-verdict", "HEALTHY");
            assertThat(page.locator("[data-testid=shard-row]")).hasCount(2);
            assertThat(page.locator("[data-testid=lag-cell][data-state=replica]")).hasCount(2);
            assertThat(page.locator("[data-testid=checkout-dc]")).hasAttribute("data-dc", "east");
            assertThat(page.locator("[data-testid=coordinator-row][data-leader=true]")).hasCount(1);
            pages.check(page, "overview");
        }
        try (BrowserContext narrow = pages.context(390, 844)) {
            Page page = pages.loggedIn(narrow, "sre");
            assertThat(page.locator("[data-testid=shard-row]")).hasCount(2);
            assertThat((Number) page.evaluate("() => document.documentElement.scrollWidth")).as("no page-wide horizontal scroll at 390 px")
                    .satisfies(w -> assertThat(w.intValue()).isLessThanOrEqualTo(390));
            pages.check(page, "overview-390px");
        }
    }

    @Test
    void c_aViewerSeesThePlanButCannotStartAFailoverAndIsToldWhy() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "vic");
            page.locator("#nav-evacuate").click();
            fillEvacuation(page, "east", "west", "planned-evacuation", "viewer looks");
            page.locator("#evac-preview").click();
            assertThat(page.locator("[data-testid=plan]")).isVisible();

            assertThat(page.locator("#evac-start")).isDisabled();
            assertThat(page.locator("[data-testid=why-evac-start]")).containsText("your role is viewer");
            assertThat(page.locator("#evac-start")).hasAttribute("title", Pattern.compile("operator needed"));
            pages.check(page, "evacuate-as-viewer");
        }
    }

    @Test
    void d_anOperatorPreviewsTheDryRunConfirmsByTypingTheDcAndWatchesTheEvacuationToItsReport() throws Exception {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            page.locator("#nav-evacuate").click();
            fillEvacuation(page, "east", "west", "planned-evacuation", "browser test evacuation");
            assertThat(page.locator("#evac-start")).isDisabled();
            page.locator("#evac-preview").click();

            Locator plan = page.locator("[data-testid=plan]");
            assertThat(plan).isVisible();
            // Every server, record and backend the steps touch, before anything happens.
            for (String shard : List.of("s1", "s2")) {
                for (String dc : List.of("east", "west")) assertThat(plan).containsText(shard + "-" + dc);
            }
            assertThat(plan).containsText(lab.topology.dns().checkoutName().replaceAll("\\.$", ""));
            assertThat(page.locator("#evac-start")).isDisabled();
            page.locator("#evac-confirm").fill("west");
            assertThat(page.locator("#evac-start")).isDisabled(); // the wrong DC's name does not confirm
            page.locator("#evac-confirm").fill("east");
            pages.check(page, "evacuate-plan");
            assertThat(lab.coordinator.failovers().list()).as("a preview changes nothing").isEmpty();
            page.locator("#evac-start").click();

            page.waitForURL(Pattern.compile(".*#/live/.+"));
            evacuationId = page.url().replaceAll(".*#/live/", "");
            assertThat(page.locator("[data-testid=live-timeline] [data-testid=step-row]").first()).isVisible();
            pages.screenshot(page, "live-running");
            page.locator("#live-finished").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(TIMEOUT_MS));
            assertThat(page.locator("[data-testid=live-outcome]")).containsText("SUCCEEDED");
            assertThat(page.locator("[data-testid=step-row][data-state=failed]")).hasCount(0);
            assertThat(page.locator("[data-testid=live-shard-row]")).hasCount(2);
            pages.check(page, "live-finished");
            assertThat(lab.coordinator.failovers().get(evacuationId).state()).isEqualTo(Failover.State.SUCCEEDED);

            page.locator("#report-link").click();
            page.waitForURL(Pattern.compile(".*#/failovers/" + evacuationId));
            assertThat(page.locator("#report-summary")).containsText("SUCCEEDED");
            assertThat(page.locator("#report-summary")).containsText("2 of 2");
            assertThat(page.locator("#report-gantt canvas").first()).isVisible();
            assertThat(page.locator("[data-testid=report-step-row]").first()).isVisible();
            assertThat(page.locator("[data-testid=report-shard-row]")).hasCount(2);
            assertThat(page.locator("#checkout-latency-plot canvas").first()).isVisible(); // the agents' checkout probes
            pages.check(page, "report");
        }
    }

    @Test
    void e_anApprovalGateIsAnsweredFromTheLivePage() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            String id = startFromTheConsole(page, "west", "east", "gated-evacuation", "approve from the console");
            Locator approve = page.locator("#approve-panel");
            approve.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(TIMEOUT_MS));
            assertThat(page.locator("#approve-prompt")).containsText("Checkout traffic is in east: go on?");
            pages.check(page, "live-approval");
            page.locator("#approve-comment").fill("DNS looks right");
            page.locator("#approve-button").click();

            page.locator("#live-finished").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(TIMEOUT_MS));
            assertThat(page.locator("[data-testid=live-outcome]")).containsText("SUCCEEDED");
            assertThat(lab.coordinator.failovers().get(id).state()).isEqualTo(Failover.State.SUCCEEDED);
        }
        assertThat(audit("DNS looks right")).singleElement().satisfies(e -> assertThat(e.get("who").asText()).isEqualTo("sre"));
    }

    /**
     * A failover waiting at its gate (so abort is surely still possible) takes one synthetic event every 10 ms for a
     * minute on its live page, which must keep up (every event counted, the page answering) without its memory
     * growing; then the operator aborts it there and everything is rolled back.
     */
    @Test
    void f_theLiveViewKeepsUpWithAnEventEvery10MsForAMinuteAndAnAbortRollsTheFailoverBack() throws Exception {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            // The shards' primaries are in west since the evacuation: the gate's precheck wants them in the source.
            String id = startFromTheConsole(page, "west", "east", "gated-evacuation", "abort from the console");
            page.locator("#approve-panel").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(TIMEOUT_MS));
            int before = eventCount(page);

            Map<String, Object> figures = stream(page, id);
            int seen = eventCount(page);
            figures.put("eventsCountedByThePage", seen - before);
            ConsoleFigures.record("liveView", figures);
            assertThat(seen - before).as("every event sent reached the page's count").isGreaterThanOrEqualTo((int) figures.get("eventsSent"));
            assertThat((long) figures.get("heapGrowthBytes")).as("memory after the minute, after GC, vs before").isLessThan(8L << 20);
            assertThat((double) figures.get("answerMaxMs")).as("the page never froze: its slowest answer to the test").isLessThan(1000);
            assertThat(page.locator("[data-testid=event-log] li, #event-log li").count()).as("the log is capped").isLessThanOrEqualTo(500);
            pages.screenshot(page, "live-under-event-load");

            page.locator("#abort-button").click();
            page.locator("#abort-reason").fill("wrong DC");
            page.locator("#abort-confirm").click();
            page.locator("#live-finished").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE).setTimeout(TIMEOUT_MS));
            assertThat(page.locator("[data-testid=live-outcome]")).containsText("ROLLED_BACK");
            pages.check(page, "live-aborted");
            assertThat(lab.coordinator.failovers().get(id).state()).isEqualTo(Failover.State.ROLLED_BACK);
        }
    }

    @Test
    void g_aMutationWithoutTheCsrfTokenIsRefusedEvenFromTheConsolesOwnOrigin() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "sre");
            // The page's own cookie, same origin, everything but the X-CSRF-Token header.
            Object answer = page.evaluate("""
                    async () => {
                      const r = await fetch('/api/v1/failovers', {method: 'POST', credentials: 'same-origin',
                        headers: {'Content-Type': 'application/json'},
                        body: JSON.stringify({from: 'west', to: 'east', reason: 'forged', dryRun: false})});
                      return {status: r.status, body: await r.json()};
                    }""");
            JsonNode r = JSON.valueToTree(answer);
            assertThat(r.get("status").asInt()).isEqualTo(403);
            assertThat(r.at("/body/code").asText()).isEqualTo("csrf");
            assertThat(lab.coordinator.failovers().list()).noneMatch(f -> f.request().reason().equals("forged"));
        }
    }

    @Test
    void h_historyRunbooksAndTheAuditLogShowWhatHappenedAndWho() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = pages.loggedIn(context, "vic");
            page.locator("#nav-history").click();
            assertThat(page.locator("[data-testid=history-row]")).hasCount(3);
            page.locator("#history-filter").fill(evacuationId);
            assertThat(page.locator("[data-testid=history-row]:visible")).hasCount(1);
            page.locator("#history-filter").fill("");
            page.locator("#history-state").selectOption("ROLLED_BACK");
            assertThat(page.locator("[data-testid=history-row]:visible")).hasCount(1);
            pages.check(page, "history");

            page.locator("#nav-runbooks").click();
            assertThat(page.locator("[data-testid=runbook-row]")).hasCount(5);
            assertThat(page.locator("[data-testid=runbook-row][data-runbook=gated-evacuation]")).containsText("site");
            page.locator("[data-testid=runbook-row][data-runbook=planned-evacuation] [data-testid=runbook-link]").click();
            assertThat(page.locator("#runbook-yaml")).containsText("name: planned-evacuation");
            pages.check(page, "runbook");

            page.locator("#nav-audit").click();
            assertThat(page.locator("[data-testid=audit-row]").first()).isVisible();
            page.locator("#audit-who").fill("sre");
            page.locator("#audit-q").fill("aborted failover");
            page.locator("#audit-apply").click();
            assertThat(page.locator("[data-testid=audit-row]")).hasCount(1);
            assertThat(page.locator("[data-testid=audit-row]")).containsText("wrong DC");
            pages.check(page, "audit");

            page.locator("#logout").click();
            assertThat(page.locator("#login-form")).isVisible();
            page.navigate(pages.url() + "#/audit");
            assertThat(page.locator("#login-form")).isVisible(); // logged out: the audit log is behind the login again
        }
    }

    @Test
    void i_everyPageFitsA390PxWideWindow() {
        try (BrowserContext narrow = pages.context(390, 844)) {
            Page page = pages.loggedIn(narrow, "sre");
            Map<String, String> routes = new LinkedHashMap<>();
            routes.put("evacuate", "#/evacuate");
            routes.put("live", "#/live/" + evacuationId);
            routes.put("history", "#/history");
            routes.put("report", "#/failovers/" + evacuationId);
            routes.put("runbooks", "#/runbooks/planned-evacuation");
            routes.put("audit", "#/audit");
            for (var route : routes.entrySet()) {
                page.navigate(pages.url() + route.getValue());
                assertThat(page.locator("#page-title")).isVisible();
                page.waitForLoadState(com.microsoft.playwright.options.LoadState.NETWORKIDLE,
                        new Page.WaitForLoadStateOptions().setTimeout(10_000));
                int width = ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
                assertThat(width).as(route.getKey() + ": no page-wide horizontal scroll at 390 px").isLessThanOrEqualTo(390);
                pages.check(page, route.getKey() + "-390px");
            }
        }
    }

    @Test
    void j_aKeyboardAloneLogsInAndMovesBetweenPages() {
        try (BrowserContext context = pages.context(1280, 800)) {
            Page page = context.newPage();
            page.navigate(pages.url());
            page.locator("#login-form").waitFor();
            tabTo(page, "login-user");
            page.keyboard().type("sre");
            tabTo(page, "login-password");
            page.keyboard().type(ConsoleLab.PASSWORDS.get("sre"));
            page.keyboard().press("Enter");
            assertThat(page.locator("#session-user")).hasText("sre");
            tabTo(page, "nav-history");
            page.keyboard().press("Enter");
            page.waitForURL(Pattern.compile(".*#/history"));
            assertThat(page.locator("[data-testid=history-row]").first()).isVisible();
            // Focus is visible where it is: the browser's outline or the page's own.
            tabTo(page, "history-filter");
            String outline = (String) page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle");
            assertThat(outline).isNotEqualTo("none");
        }
    }

    /** Presses Tab until the element with this id has the focus (at most 40 times). */
    private static void tabTo(Page page, String id) {
        for (int i = 0; i < 40; i++) {
            if (id.equals(page.evaluate("() => document.activeElement && document.activeElement.id"))) return;
            page.keyboard().press("Tab");
        }
        throw new AssertionError("Tab never reached #" + id);
    }

    private static void fillEvacuation(Page page, String from, String to, String runbook, String reason) {
        page.locator("#evac-from").selectOption(from);
        page.locator("#evac-to").selectOption(to);
        page.locator("#evac-runbook").selectOption(runbook);
        page.locator("#evac-reason").fill(reason);
    }

    private static String startFromTheConsole(Page page, String from, String to, String runbook, String reason) {
        page.locator("#nav-evacuate").click();
        fillEvacuation(page, from, to, runbook, reason);
        page.locator("#evac-preview").click();
        assertThat(page.locator("[data-testid=plan]")).isVisible();
        page.locator("#evac-confirm").fill(from);
        page.locator("#evac-start").click();
        page.waitForURL(Pattern.compile(".*#/live/.+"));
        return page.url().replaceAll(".*#/live/", "");
    }

    private static int eventCount(Page page) {
        Matcher m = Pattern.compile("(\\d+) events?").matcher(page.locator("#event-count").textContent());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /**
     * One event every 10 ms for 60 s into the coordinator's event hub, for failover {@code id}; meanwhile the test
     * asks the page the time once a second (how long the answer takes says whether its main thread is free) and
     * counts its long tasks. Heap before and after, each after a GC.
     */
    private static Map<String, Object> stream(Page page, String id) throws Exception {
        page.evaluate("""
                () => { window.__long = []; new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push(e.duration)))
                          .observe({type: 'longtask', buffered: false}); }""");
        long heapBefore = heap(page);
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        long t0 = System.nanoTime();
        timer.scheduleAtFixedRate(() -> {
            int n = sent.incrementAndGet();
            lab.coordinator.events().publish("failover.step", id, n % 2 == 0 ? "s1" : "s2", "approve",
                    "synthetic load event " + n + ": the gate is still waiting");
        }, 0, 10, TimeUnit.MILLISECONDS);
        List<Double> answers = new ArrayList<>();
        try {
            while (System.nanoTime() - t0 < 60_000_000_000L) {
                Thread.sleep(1000);
                long a = System.nanoTime();
                page.evaluate("() => performance.now()");
                answers.add((System.nanoTime() - a) / 1e6);
            }
        } finally {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // Let the page drain what is in flight, then count.
        int total = sent.get();
        page.waitForFunction("n => { const m = /(\\d+) events?/.exec(document.querySelector('#event-count').textContent); "
                + "return m && Number(m[1]) >= n; }", total, new Page.WaitForFunctionOptions().setTimeout(30_000));
        long heapAfter = heap(page);
        JsonNode longTasks = JSON.valueToTree(page.evaluate("() => window.__long"));
        double longMax = 0, longSum = 0;
        for (JsonNode d : longTasks) {
            longMax = Math.max(longMax, d.asDouble());
            longSum += d.asDouble();
        }
        List<Double> sorted = answers.stream().sorted().toList();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("eventsSent", total);
        f.put("seconds", Math.round(seconds * 10) / 10.0);
        f.put("answerMedianMs", round(sorted.get(sorted.size() / 2)));
        f.put("answerMaxMs", round(sorted.getLast()));
        f.put("longTasks", longTasks.size());
        f.put("longTaskMaxMs", round(longMax));
        f.put("longTaskTotalMs", round(longSum));
        f.put("heapBeforeBytes", heapBefore);
        f.put("heapAfterBytes", heapAfter);
        f.put("heapGrowthBytes", heapAfter - heapBefore);
        f.put("domNodes", ((Number) page.evaluate("() => document.getElementsByTagName('*').length")).intValue());
        return f;
    }

    private static long heap(Page page) {
        return ((Number) page.evaluate("() => { window.gc(); return performance.memory.usedJSHeapSize; }")).longValue();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** The coordinator's audit log, the entries containing {@code text}. */
    private static List<JsonNode> audit(String text) {
        try {
            // Written just after the answer: give it a moment.
            Thread.sleep(300);
            List<JsonNode> found = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("audit.jsonl"))) {
                if (line.contains(text)) found.add(JSON.readTree(line));
            }
            return found;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
