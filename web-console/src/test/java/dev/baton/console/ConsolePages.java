package dev.baton.console;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.Rule;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every browser test does with the console: a fresh context (its own cookies), a login through
 * the form, screenshots where a person can look at them, and the checks every page must pass: no
 * script error or CSP violation in the browser's console, and no serious accessibility violation.
 */
final class ConsolePages {
    /** Under the module's target/, as the issue asks: web-console/target/screenshots/. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final Browser browser;
    private final String consoleUrl;
    final List<String> browserErrors = Collections.synchronizedList(new ArrayList<>());

    ConsolePages(Browser browser, String consoleUrl) {
        this.browser = browser;
        this.consoleUrl = consoleUrl;
        try {
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return consoleUrl;
    }

    BrowserContext context(int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        context.onPage(this::watch);
        return context;
    }

    /** A page at 1280 x 800, logged in as {@code user} through the form. */
    Page loggedIn(String user) {
        return loggedIn(context(1280, 800), user);
    }

    Page loggedIn(BrowserContext context, String user) {
        Page page = context.newPage();
        page.navigate(consoleUrl);
        page.locator("#login-user").fill(user);
        page.locator("#login-password").fill(ConsoleLab.PASSWORDS.get(user));
        page.locator("#login-submit").click();
        page.locator("#session-user").getByText(user).waitFor();
        return page;
    }

    void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    /** axe-core on the page as it is now: every violation of impact serious or critical, one line each. */
    static List<String> seriousAccessibilityViolations(Page page) {
        List<String> found = new ArrayList<>();
        for (Rule rule : new AxeBuilder(page).analyze().getViolations()) {
            if ("serious".equals(rule.getImpact()) || "critical".equals(rule.getImpact())) {
                found.add(rule.getImpact() + " " + rule.getId() + ": " + rule.getHelp() + " at "
                        + rule.getNodes().stream().limit(3).map(n -> String.valueOf(n.getTarget())).toList());
            }
        }
        return found;
    }

    /** Screenshot, accessibility and browser-console checks of the page as it is now. */
    void check(Page page, String name) {
        screenshot(page, name);
        assertThat(seriousAccessibilityViolations(page)).as("serious accessibility violations on " + name).isEmpty();
        assertThat(List.copyOf(browserErrors)).as("script errors or CSP violations so far (at " + name + ")").isEmpty();
    }

    private void watch(Page page) {
        page.onConsoleMessage(m -> {
            // A 401/403 the console asked for on purpose shows as a failed resource load; anything else is a defect.
            if (m.type().equals("error") && !m.text().startsWith("Failed to load resource")) browserErrors.add(m.text());
        });
        page.onPageError(e -> browserErrors.add("uncaught: " + e));
    }
}
