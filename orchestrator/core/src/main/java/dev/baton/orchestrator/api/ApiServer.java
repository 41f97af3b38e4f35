package dev.baton.orchestrator.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.events.EventHub;
import dev.baton.orchestrator.failover.AbortRequest;
import dev.baton.orchestrator.failover.ApproveRequest;
import dev.baton.orchestrator.failover.FailoverRefused;
import dev.baton.orchestrator.failover.FailoverRequest;
import dev.baton.orchestrator.failover.FailoverService;
import dev.baton.orchestrator.failover.Json;
import dev.baton.orchestrator.health.IngestResult;
import dev.baton.orchestrator.monitor.HealthMonitor;
import dev.baton.orchestrator.leader.Leadership;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.wire.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import dev.baton.orchestrator.config.PasswordHash;
import dev.baton.orchestrator.health.CheckoutHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * The coordinator's HTTP API under {@code /api/v1}, and the web console under {@code /console/},
 * which uses that same API. Handlers never block the event loop: anything that talks to ZooKeeper
 * or the servers, or checks a password, runs through {@code executeBlocking}.
 * <p>
 * Two ways in: a bearer token (the CLI, automation) or a console session cookie (HttpOnly,
 * SameSite=Strict) whose mutations must also carry the session's CSRF token. Wrong passwords and
 * wrong tokens are audited and slowed down per user and per address.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String BASE = "/api/v1";
    private static final String PRINCIPAL = "baton.principal";
    private static final String AUDIT_DETAIL = "baton.audit.detail";
    private static final String AUDIT_OUTCOME = "baton.audit.outcome";
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String REPORTS = BASE + "/agents/reports";
    private static final String SESSION_PATH = BASE + "/session";
    private static final String FAILOVERS = BASE + "/failovers";
    /** Sent by the console's polls: they read, but are not the user's doing, so they do not keep a session alive. */
    private static final String BACKGROUND_HEADER = "X-Baton-Background";
    private static final String SESSION_COOKIE = "baton_session";
    private static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String SESSION = "baton.session";
    /** Audit this request even if it is a read: a wrong token is someone guessing. */
    private static final String AUDIT_ALWAYS = "baton.audit.always";
    /** No inline script or style, nothing from elsewhere, never in a frame. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    /** The WebJars' versions, as the parent pom pins them (their paths carry the version). */
    private static final String UPLOT = "uplot/1.6.30", ECHARTS = "echarts/5.3.1";
    /** Wrong tokens answered late at once from one address; beyond this they get 429 without a check. */
    private static final int MAX_DELAYED_PER_ADDRESS = 16;
    /** Below the usual 30-60 s idle timeouts of proxies between a console and the coordinator. */
    private static final long SSE_HEARTBEAT_MS = 15_000;

    private final Vertx vertx;
    private final CoordinatorConfig config;
    private final Leadership leadership;
    private final FailoverService failovers;
    private final EventHub events;
    private final PrometheusMeterRegistry metrics;
    private final AuditLog audit;
    private final HealthMonitor health;
    private final String openApi;
    private final ConsoleSessions sessions;
    /** Passwords, per user: 3 wrong in a row are free, then 1 s, 2 s, 4 s ... up to a minute between tries. */
    private final FailureThrottle logins = new FailureThrottle(3, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(15));
    /** Passwords, per address: more are free (an office behind one NAT), then the same doubling. */
    private final FailureThrottle loginAddresses = new FailureThrottle(10, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(15));
    /** Tokens: the 6th wrong one in a row from an address is answered 250 ms late, doubling up to 5 s. */
    private final FailureThrottle tokens = new FailureThrottle(5, Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofMinutes(10));
    private final Map<String, AtomicInteger> delayed = new ConcurrentHashMap<>();
    private HttpServer server;

    public ApiServer(Vertx vertx, CoordinatorConfig config, Leadership leadership, FailoverService failovers, EventHub events,
                     PrometheusMeterRegistry metrics, AuditLog audit, HealthMonitor health) {
        this.vertx = vertx;
        this.config = config;
        this.leadership = leadership;
        this.failovers = failovers;
        this.events = events;
        this.metrics = metrics;
        this.audit = audit;
        this.health = health;
        this.openApi = resource("openapi.json");
        this.sessions = new ConsoleSessions(config.console());
    }

    /** Listens on {@code listen}; fails naming the address when it is taken. */
    public ApiServer start(Endpoint listen) {
        Router router = Router.router(vertx);
        router.route().handler(ApiServer::securityHeaders);
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.route().handler(this::countAndAudit);
        router.get("/").handler(ctx -> ctx.redirect("/console/"));
        // The console's URLs are relative to /console/.
        router.getWithRegex("^/console$").handler(ctx -> ctx.redirect("/console/"));
        router.get("/console/vendor/uplot/*").handler(StaticHandler.create(WEBJARS + UPLOT));
        router.get("/console/vendor/echarts/*").handler(StaticHandler.create(WEBJARS + ECHARTS));
        // The console's own files change with every upgrade: not cached, so a console never runs old code on a new API.
        router.get("/console/*").handler(StaticHandler.create("baton-console").setCachingEnabled(false).setIndexPage("index.html"));
        router.get(BASE + "/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));
        // Agents have their own tokens, and their reports are too many and too routine for the audit log.
        router.post(REPORTS).handler(this::ingestReport);
        router.post(SESSION_PATH).handler(this::login);
        router.route(BASE + "/*").handler(this::authenticate);
        router.get(SESSION_PATH).handler(this::session);
        router.delete(SESSION_PATH).handler(this::logout);
        router.get(BASE + "/audit").handler(this::auditEntries);
        router.get(BASE + "/checkouts").handler(this::checkouts);
        router.get(BASE + "/traffic").handler(ctx -> blocking(ctx, 200, () -> TrafficView.read(config.topology())));
        router.get(BASE + "/health").handler(ctx -> json(ctx, 200, health.snapshot()));
        router.get(BASE + "/agents").handler(ctx -> json(ctx, 200, health.agents()));
        // Asking who leads is a ZooKeeper read: off the event loop.
        router.get(BASE + "/topology").handler(ctx -> blocking(ctx, 200, () -> TopologyView.of(leadership.id(),
                leadership.leaderId().orElse(""), config.topology())));
        router.get(BASE + "/failovers").handler(this::listFailovers);
        router.get(BASE + "/failovers/:id").handler(ctx -> blocking(ctx, 200, () -> failovers.get(ctx.pathParam("id"))));
        router.get(BASE + "/failovers/:id/report").handler(ctx -> blocking(ctx, 200, () -> failovers.report(ctx.pathParam("id"))));
        router.get(BASE + "/runbooks").handler(ctx -> json(ctx, 200, failovers.runbooks().entries().stream().map(RunbookView::of).toList()));
        router.get(BASE + "/runbooks/:name").handler(this::runbook);
        router.post(FAILOVERS).handler(this::createFailover);
        router.post(BASE + "/failovers/:id/abort").handler(this::abortFailover);
        router.post(BASE + "/failovers/:id/approve").handler(this::approveFailover);
        router.get(BASE + "/events").handler(this::eventStream);
        router.get(BASE + "/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.route().last().handler(ctx -> error(ctx, 404, "not_found", "no such endpoint: " + ctx.request().method()
                + " " + ctx.request().path() + " (see " + BASE + "/openapi.json)"));
        try {
            server = vertx.createHttpServer().requestHandler(router).listen(listen.port(), listen.host())
                    .await();
        } catch (RuntimeException e) {
            throw new IllegalStateException("coordinator " + leadership.id() + " cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        return this;
    }

    public int port() {
        return server.actualPort();
    }

    private void createFailover(RoutingContext ctx) {
        FailoverRequest request;
        try {
            String body = ctx.body().asString();
            if (body == null || body.isBlank()) {
                error(ctx, 400, "bad_request", "the request has no body; expected {from, to, reason, dryRun}");
                return;
            }
            request = Json.MAPPER.readValue(body, FailoverRequest.class);
        } catch (JsonProcessingException e) {
            error(ctx, 400, "bad_request", "malformed failover request: " + e.getOriginalMessage());
            return;
        }
        Principal who = principal(ctx);
        if (!request.dryRun() && !who.role().allows(ApiRole.OPERATOR)) {
            error(ctx, 403, "forbidden", "user " + who.name() + " is a " + who.role().name().toLowerCase()
                    + "; starting a failover needs operator (a dry run, dryRun: true, is open to viewers)");
            return;
        }
        if (request.force() && !request.dryRun() && !who.role().allows(ApiRole.ADMIN)) {
            error(ctx, 403, "forbidden", "user " + who.name() + " is a " + who.role().name().toLowerCase()
                    + "; forcing a failover past an unhealthy target needs admin");
            return;
        }
        if (request.dryRun()) {
            blocking(ctx, 200, () -> failovers.dryRun(request));
        } else {
            blocking(ctx, 202, () -> {
                var failover = failovers.start(request, who.name());
                ctx.put(AUDIT_DETAIL, "started failover " + failover.id() + " (runbook " + failover.runbook().runbook() + ") from "
                        + request.from() + " to " + request.to()
                        + (request.force() ? " (forced)" : "") + ": " + request.reason());
                ctx.response().putHeader("Location", BASE + "/failovers/" + failover.id());
                return failover;
            });
        }
    }

    private void runbook(RoutingContext ctx) {
        RunbookCatalog catalog = failovers.runbooks();
        String name = ctx.pathParam("name");
        catalog.find(name).ifPresentOrElse(e -> json(ctx, 200, RunbookView.Detail.of(e)), () -> error(ctx, 404, "not_found",
                "no runbook named '" + name + "' on coordinator " + leadership.id() + "; its runbooks: " + String.join(", ", catalog.names())));
    }

    /** The body, {reason}, is optional. */
    private void abortFailover(RoutingContext ctx) {
        String reason = "";
        String body = ctx.body().asString();
        if (body != null && !body.isBlank()) {
            try {
                reason = Objects.requireNonNullElse(Json.MAPPER.readValue(body, AbortRequest.class).reason(), "");
            } catch (JsonProcessingException e) {
                error(ctx, 400, "bad_request", "malformed abort request: " + e.getOriginalMessage() + "; expected {reason}");
                return;
            }
        }
        String why = reason;
        blocking(ctx, 200, () -> {
            var failover = failovers.abort(ctx.pathParam("id"), principal(ctx).name(), why);
            ctx.put(AUDIT_DETAIL, "aborted failover " + failover.id() + (why.isBlank() ? "" : ": " + why) + "; it is " + failover.state());
            return failover;
        });
    }

    /** The body, {comment}, is optional; the gate's role is checked by the failover (403 below it). */
    private void approveFailover(RoutingContext ctx) {
        String comment = "";
        String body = ctx.body().asString();
        if (body != null && !body.isBlank()) {
            try {
                comment = Objects.requireNonNullElse(Json.MAPPER.readValue(body, ApproveRequest.class).comment(), "");
            } catch (JsonProcessingException e) {
                error(ctx, 400, "bad_request", "malformed approve request: " + e.getOriginalMessage() + "; expected {comment}");
                return;
            }
        }
        String note = comment;
        Principal who = principal(ctx);
        blocking(ctx, 200, () -> {
            var failover = failovers.approve(ctx.pathParam("id"), who.name(), who.role(), note);
            ctx.put(AUDIT_DETAIL, "approved failover " + failover.id() + (note.isBlank() ? "" : ": " + note) + "; it is " + failover.state());
            return failover;
        });
    }

    /** Agent token (401), then the ingest's checks, each refusal mapped to a status with its code. */
    private void ingestReport(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        Optional<AgentAccount> agent = header != null && header.startsWith("Bearer ")
                ? health.authenticate(header.substring("Bearer ".length()).trim()) : Optional.empty();
        if (agent.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            if (header == null) error(ctx, 401, "unauthenticated", "missing 'Authorization: Bearer <agent token>' header");
            else wrongToken(ctx, "the bearer token matches no registered agent", false);
            return;
        }
        switch (health.ingest(agent.get().id(), ctx.body().asString())) {
            case IngestResult.Accepted a -> ctx.response().setStatusCode(204).end();
            case IngestResult.Rejected r -> error(ctx, switch (r.code()) {
                case MALFORMED, UNKNOWN_DC -> 400;
                case UNKNOWN_AGENT, AGENT_MISMATCH, DC_MISMATCH -> 403;
                case REPLAYED -> 409;
                case STALE, FROM_THE_FUTURE -> 422;
            }, HealthMonitor.code(r.code()), r.message());
        }
    }

    /** Sends the events after the client's Last-Event-ID first, then every new one, with a comment as heartbeat. */
    private void eventStream(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        long lastSeen;
        try {
            String header = ctx.request().getHeader("Last-Event-ID");
            lastSeen = header == null || header.isBlank() ? Long.MAX_VALUE : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            error(ctx, 400, "bad_request", "Last-Event-ID must be the number of an event this coordinator sent, got '"
                    + ctx.request().getHeader("Last-Event-ID") + "'");
            return;
        }
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
        response.write(": connected to coordinator " + leadership.id() + "\n\n");
        Context context = vertx.getOrCreateContext();
        ConsoleSessions.Session session = ctx.get(SESSION);
        long heartbeat = vertx.setPeriodic(SSE_HEARTBEAT_MS, id -> {
            if (response.closed()) return;
            // A console's stream ends with its session (logged out, or expired), at the next heartbeat.
            if (session != null && !(sessions.use(session.id(), Instant.now(), false) instanceof ConsoleSessions.Lookup.Valid)) {
                response.end();
                return;
            }
            response.write(": heartbeat\n\n");
        });
        AutoCloseable subscription = events.subscribe(lastSeen, event -> context.runOnContext(v -> {
            if (response.closed()) return;
            try {
                response.write("id: " + event.seq() + "\nevent: " + event.type() + "\ndata: " + Json.MAPPER.writeValueAsString(event) + "\n\n");
            } catch (JsonProcessingException e) {
                LOG.error("cannot send event {}", event, e);
            }
        }));
        response.closeHandler(v -> {
            vertx.cancelTimer(heartbeat);
            try {
                subscription.close();
            } catch (Exception e) {
                LOG.warn("cannot unsubscribe an event stream: {}", e.getMessage());
            }
        });
    }

    /**
     * Who is asking (401 when nobody we know), then what they may do (403): reads need a viewer, anything else an
     * operator. A bearer token wins over a session cookie; a cookie's mutations need its CSRF token.
     */
    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        Principal who;
        if (header != null) {
            if (!header.startsWith("Bearer ")) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                error(ctx, 401, "unauthenticated", "the Authorization header must be 'Bearer <token>'");
                return;
            }
            Optional<ApiUser> user = config.userWithToken(header.substring("Bearer ".length()).trim());
            if (user.isEmpty()) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                wrongToken(ctx, "the bearer token matches no API user", true);
                return;
            }
            if (user.get().expiredAt(Instant.now())) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                error(ctx, 401, "unauthenticated", "the token of user " + user.get().name() + " expired at " + user.get().expires());
                return;
            }
            who = new Principal(user.get().name(), user.get().role());
        } else {
            Cookie cookie = ctx.request().getCookie(SESSION_COOKIE);
            if (cookie == null) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer");
                error(ctx, 401, "unauthenticated", "missing 'Authorization: Bearer <token>' header (CLI, automation) "
                        + "or a console session (log in at /console/)");
                return;
            }
            boolean background = ctx.request().getHeader(BACKGROUND_HEADER) != null && !mutates(ctx.request().method());
            switch (sessions.use(cookie.getValue(), Instant.now(), !background)) {
                case ConsoleSessions.Lookup.Unknown u -> {
                    ctx.response().addCookie(endedCookie());
                    error(ctx, 401, "unauthenticated", "no such console session (logged out, or coordinator " + leadership.id()
                            + " restarted since); log in again");
                    return;
                }
                case ConsoleSessions.Lookup.Expired e -> {
                    ctx.response().addCookie(endedCookie());
                    error(ctx, 401, "session_expired", e.why());
                    return;
                }
                case ConsoleSessions.Lookup.Valid v -> {
                    ctx.put(SESSION, v.session());
                    who = new Principal(v.session().user(), v.session().role());
                    ctx.put(PRINCIPAL, who);
                    if (mutates(ctx.request().method()) && !v.session().csrfMatches(ctx.request().getHeader(CSRF_HEADER))) {
                        error(ctx, 403, "csrf", ctx.request().method() + " " + ctx.request().path() + " refused: a console "
                                + "request that changes something must carry its session's " + CSRF_HEADER + " header ("
                                + (ctx.request().getHeader(CSRF_HEADER) == null ? "missing" : "it does not match") + ")");
                        return;
                    }
                }
            }
        }
        ctx.put(PRINCIPAL, who);
        ApiRole needed = !mutates(ctx.request().method()) ? ApiRole.VIEWER : ApiRole.OPERATOR;
        // Anyone may end their own session, and preview a plan (a dry run changes nothing; createFailover checks the rest).
        if (ctx.request().path().equals(SESSION_PATH) || ctx.request().path().equals(FAILOVERS)) needed = ApiRole.VIEWER;
        if (!who.role().allows(needed)) {
            error(ctx, 403, "forbidden", "user " + who.name() + " is a " + who.role().name().toLowerCase()
                    + "; " + ctx.request().method() + " " + ctx.request().path() + " needs " + needed.name().toLowerCase());
            return;
        }
        ctx.next();
    }

    /**
     * A wrong token: from an address's 6th wrong one in a row answered later and later (250 ms doubling to 5 s); a
     * right token from the same address is never held up. An API token is audited even on a read; an agent's is not
     * (a misconfigured agent would write a line a second; its reports' refusals are counted in the metrics).
     */
    private void wrongToken(RoutingContext ctx, String message, boolean audited) {
        String address = address(ctx);
        int inARow = tokens.failed(address, Instant.now());
        if (audited) ctx.put(AUDIT_ALWAYS, true);
        String detail = message + " (wrong token " + inARow + " in a row from " + address + ")";
        Duration late = tokens.penalty(inARow);
        if (late.isZero()) {
            refuse(ctx, 401, "unauthenticated", message, "unauthenticated", detail);
            return;
        }
        AtomicInteger waiting = delayed.computeIfAbsent(address, a -> new AtomicInteger());
        if (waiting.incrementAndGet() > MAX_DELAYED_PER_ADDRESS) {
            waiting.decrementAndGet();
            tooMany(ctx, late, "too many wrong tokens from " + address + "; wait " + late.toMillis() + " ms", detail);
            return;
        }
        vertx.setTimer(late.toMillis(), id -> {
            waiting.decrementAndGet();
            if (!ctx.response().closed()) {
                refuse(ctx, 401, "unauthenticated", message, "unauthenticated", detail + "; answered " + late.toMillis() + " ms late");
            }
        });
    }

    /** {user, password} → a session cookie and the session's CSRF token, or 401, or 429 while throttled. */
    private void login(RoutingContext ctx) {
        LoginRequest request;
        try {
            String body = ctx.body().asString();
            request = body == null || body.isBlank() ? null : Json.MAPPER.readValue(body, LoginRequest.class);
        } catch (JsonProcessingException e) {
            request = null;
        }
        if (request == null || request.user() == null || request.user().isBlank() || request.password() == null) {
            error(ctx, 400, "bad_request", "a login needs a JSON body {user, password}");
            return;
        }
        String name = request.user().trim();
        String address = address(ctx);
        Instant now = Instant.now();
        Duration wait = max(logins.wait(name, now), loginAddresses.wait(address, now));
        if (!wait.isZero()) {
            tooMany(ctx, wait, "too many failed logins for user " + name + " or from " + address + "; try again in "
                    + seconds(wait) + " s", "console login as '" + name + "' from " + address + " refused: throttled for "
                    + seconds(wait) + " s more");
            return;
        }
        Optional<ApiUser> user = config.user(name).filter(u -> u.password() != null);
        String password = request.password();
        vertx.executeBlocking(() -> {
            if (user.isPresent()) return user.get().password().matches(password);
            PasswordHash.spendCheck(password); // an unknown name costs what a wrong password does
            return false;
        }, false).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                logins.succeeded(name);
                ConsoleSessions.Session session = sessions.open(name, user.get().role(), Instant.now());
                ctx.put(PRINCIPAL, new Principal(name, session.role()));
                ctx.put(AUDIT_DETAIL, "logged in to the console from " + address);
                Cookie cookie = Cookie.cookie(SESSION_COOKIE, session.id()).setPath("/").setHttpOnly(true)
                        .setSameSite(CookieSameSite.STRICT).setSecure(ctx.request().isSSL());
                ctx.response().addCookie(cookie);
                json(ctx, 200, SessionView.of(session, sessions.idle()));
            } else {
                int forUser = logins.failed(name, Instant.now());
                int fromAddress = loginAddresses.failed(address, Instant.now());
                if (ar.failed()) LOG.error("checking the password of {} failed", name, ar.cause());
                refuse(ctx, 401, "unauthenticated", "wrong user name or password", "bad_password", "failed console login as '"
                        + name + "' from " + address + " (" + forUser + " in a row for this user, " + fromAddress
                        + " from this address" + (user.isEmpty() ? "; no console user has this name" : "") + ")");
            }
        });
    }

    private void session(RoutingContext ctx) {
        ConsoleSessions.Session session = ctx.get(SESSION);
        Principal who = principal(ctx);
        json(ctx, 200, session != null ? SessionView.of(session, sessions.idle())
                : new SessionView(who.name(), who.role().name().toLowerCase(), null, 0, null));
    }

    private void logout(RoutingContext ctx) {
        ConsoleSessions.Session session = ctx.get(SESSION);
        if (session == null) {
            error(ctx, 400, "bad_request", "no console session to end: this request came with a bearer token");
            return;
        }
        sessions.close(session.id());
        ctx.put(AUDIT_DETAIL, "logged out of the console");
        ctx.response().addCookie(endedCookie()).setStatusCode(204).end();
    }

    /** ?limit (default 200, at most 5000), ?who (exact user), ?q (text anywhere in the entry). */
    private void auditEntries(RoutingContext ctx) {
        OptionalInt limit = limit(ctx, 200);
        if (limit.isEmpty()) return;
        blocking(ctx, 200, () -> audit.read(limit.getAsInt(), ctx.request().getParam("who"), ctx.request().getParam("q")));
    }

    /** The newest failovers, 200 unless {@code ?limit} says otherwise: each costs ZooKeeper reads and the history only grows. */
    private void listFailovers(RoutingContext ctx) {
        OptionalInt limit = limit(ctx, 200);
        if (limit.isEmpty()) return;
        blocking(ctx, 200, () -> failovers.list(limit.getAsInt()));
    }

    /** {@code ?limit}, 1 to 5000 ({@code dflt} when absent); empty once a 400 naming the bad value was sent. */
    private OptionalInt limit(RoutingContext ctx, int dflt) {
        String given = ctx.request().getParam("limit");
        int limit;
        try {
            limit = given == null ? dflt : Integer.parseInt(given);
        } catch (NumberFormatException e) {
            error(ctx, 400, "bad_request", "limit must be a whole number, got '" + given + "'");
            return OptionalInt.empty();
        }
        if (limit < 1 || limit > 5000) {
            error(ctx, 400, "bad_request", "limit must be 1 to 5000, got " + limit);
            return OptionalInt.empty();
        }
        return OptionalInt.of(limit);
    }

    /** ?from and ?to, ISO instants (default: the last 10 minutes); at most a day. */
    private void checkouts(RoutingContext ctx) {
        Instant from, to;
        try {
            String f = ctx.request().getParam("from"), t = ctx.request().getParam("to");
            to = t == null ? Instant.now() : Instant.parse(t);
            from = f == null ? to.minus(Duration.ofMinutes(10)) : Instant.parse(f);
        } catch (DateTimeParseException e) {
            error(ctx, 400, "bad_request", "from and to must be ISO-8601 instants such as 2026-12-03T07:00:00Z: " + e.getParsedString());
            return;
        }
        if (from.isAfter(to) || Duration.between(from, to).compareTo(Duration.ofDays(1)) > 0) {
            error(ctx, 400, "bad_request", "from must be before to and at most a day apart, got " + from + " .. " + to);
            return;
        }
        json(ctx, 200, Map.of("samples", health.checkouts(from, to)));
    }

    /** An error whose audit line says more than its answer does (e.g. the address, how many in a row). */
    private static void refuse(RoutingContext ctx, int status, String code, String message, String auditOutcome, String auditDetail) {
        ctx.put(AUDIT_OUTCOME, auditOutcome);
        ctx.put(AUDIT_DETAIL, auditDetail);
        json(ctx, status, new ApiError(code, message, null, null));
    }

    private void tooMany(RoutingContext ctx, Duration wait, String message, String auditDetail) {
        long s = seconds(wait);
        ctx.response().putHeader("Retry-After", Long.toString(s));
        ctx.put(AUDIT_ALWAYS, true);
        ctx.put(AUDIT_OUTCOME, "too_many_attempts");
        ctx.put(AUDIT_DETAIL, auditDetail);
        json(ctx, 429, Map.of("code", "too_many_attempts", "message", message, "retryAfterSeconds", s));
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static boolean mutates(HttpMethod method) {
        return method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
    }

    private static String address(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().host();
    }

    private static Cookie endedCookie() {
        return Cookie.cookie(SESSION_COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT).setMaxAge(0);
    }

    private static void securityHeaders(RoutingContext ctx) {
        ctx.response().putHeader("Content-Security-Policy", CSP).putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY").putHeader("Referrer-Policy", "no-referrer");
        if (ctx.request().path().startsWith(BASE)) ctx.response().putHeader("Cache-Control", "no-store");
        ctx.next();
    }

    /** Counts every request and writes every mutating one, allowed or not, to the audit log once answered. */
    private void countAndAudit(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        String path = ctx.request().path();
        ctx.addBodyEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            Counter.builder("baton.api.requests").tag("method", method.name()).tag("status", Integer.toString(status))
                    .register(metrics).increment();
            boolean always = Boolean.TRUE.equals(ctx.get(AUDIT_ALWAYS));
            if (!always && (!mutates(method) || path.equals(REPORTS))) return;
            Principal who = ctx.get(PRINCIPAL);
            String outcome = status < 400 ? "ok" : Optional.<String>ofNullable(ctx.get(AUDIT_OUTCOME)).orElse("error");
            AuditEntry entry = new AuditEntry(Instant.now(), who == null ? "anonymous" : who.name(), method.name(), path, status,
                    outcome, Optional.<String>ofNullable(ctx.get(AUDIT_DETAIL)).orElse(""));
            vertx.executeBlocking(() -> {
                audit.append(entry);
                return null;
            }).onFailure(e -> LOG.error("AUDIT LOG WRITE FAILED for {}: {}", entry, e.getMessage()));
        });
        ctx.next();
    }

    private <T> void blocking(RoutingContext ctx, int status, Callable<T> work) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) json(ctx, status, ar.result());
            else if (ar.cause() instanceof FailoverRefused refused) refused(ctx, refused);
            else {
                LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), ar.cause());
                error(ctx, 500, "internal", ar.cause().getMessage() == null ? ar.cause().toString() : ar.cause().getMessage());
            }
        });
    }

    private void refused(RoutingContext ctx, FailoverRefused refused) {
        switch (refused.kind()) {
            case BAD_REQUEST -> error(ctx, 400, "bad_request", refused.getMessage());
            case NOT_FOUND -> error(ctx, 404, "not_found", refused.getMessage());
            case NOT_LEADER -> send(ctx, 409, "not_leader", new ApiError("not_leader", refused.getMessage(),
                    refused.leader().orElse(""), null), refused.getMessage());
            case RUNNING -> error(ctx, 409, "failover_running", refused.getMessage());
            case TARGET_UNHEALTHY -> error(ctx, 409, "target_unhealthy", refused.getMessage());
            case NOT_READY -> send(ctx, 409, "not_ready", new ApiError("not_ready", refused.getMessage(), null,
                    refused.problems().isEmpty() ? null : refused.problems(), refused.catchingUp()), refused.getMessage());
            case CONFLICT -> error(ctx, 409, "conflict", refused.getMessage());
            case FORBIDDEN -> error(ctx, 403, "forbidden", refused.getMessage());
            case INVALID_RUNBOOK -> send(ctx, 422, "invalid_runbook", new ApiError("invalid_runbook", refused.getMessage(), null,
                    refused.problems()), refused.getMessage());
        }
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        send(ctx, status, code, new ApiError(code, message, null, null), message);
    }

    private static void send(RoutingContext ctx, int status, String code, ApiError error, String message) {
        ctx.put(AUDIT_OUTCOME, code);
        ctx.put(AUDIT_DETAIL, message);
        json(ctx, status, error);
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended()) return;
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(500).end("{\"code\":\"internal\",\"message\":\"cannot encode the answer\"}");
        }
    }

    private static Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    private static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server != null) server.close().await();
    }
}
