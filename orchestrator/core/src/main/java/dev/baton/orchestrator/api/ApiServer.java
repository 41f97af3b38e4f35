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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The coordinator's HTTP API under {@code /api/v1}. Handlers never block the event loop: anything
 * that talks to ZooKeeper or the servers runs through {@code executeBlocking}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final String BASE = "/api/v1";
    private static final String PRINCIPAL = "baton.principal";
    private static final String AUDIT_DETAIL = "baton.audit.detail";
    private static final String AUDIT_OUTCOME = "baton.audit.outcome";
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String REPORTS = BASE + "/agents/reports";
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
    }

    /** Listens on {@code listen}; fails naming the address when it is taken. */
    public ApiServer start(Endpoint listen) {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
        router.route().handler(this::countAndAudit);
        router.get(BASE + "/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(openApi));
        // Agents have their own tokens, and their reports are too many and too routine for the audit log.
        router.post(REPORTS).handler(this::ingestReport);
        router.route(BASE + "/*").handler(this::authenticate);
        router.get(BASE + "/health").handler(ctx -> json(ctx, 200, health.snapshot()));
        router.get(BASE + "/agents").handler(ctx -> json(ctx, 200, health.agents()));
        // Asking who leads is a ZooKeeper read: off the event loop.
        router.get(BASE + "/topology").handler(ctx -> blocking(ctx, 200, () -> TopologyView.of(leadership.id(),
                leadership.leaderId().orElse(""), config.topology())));
        router.get(BASE + "/failovers").handler(ctx -> blocking(ctx, 200, failovers::list));
        router.get(BASE + "/failovers/:id").handler(ctx -> blocking(ctx, 200, () -> failovers.get(ctx.pathParam("id"))));
        router.get(BASE + "/failovers/:id/report").handler(ctx -> blocking(ctx, 200, () -> failovers.report(ctx.pathParam("id"))));
        router.get(BASE + "/runbooks").handler(ctx -> json(ctx, 200, failovers.runbooks().entries().stream().map(RunbookView::of).toList()));
        router.get(BASE + "/runbooks/:name").handler(this::runbook);
        router.post(BASE + "/failovers").handler(this::createFailover);
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
            error(ctx, 401, "unauthenticated", header == null ? "missing 'Authorization: Bearer <agent token>' header"
                    : "the bearer token matches no registered agent");
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
        long heartbeat = vertx.setPeriodic(SSE_HEARTBEAT_MS, id -> {
            if (!response.closed()) response.write(": heartbeat\n\n");
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

    /** Token first (401), then role (403): reads need a viewer, anything else an operator. */
    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            error(ctx, 401, "unauthenticated", "missing 'Authorization: Bearer <token>' header");
            return;
        }
        Optional<ApiUser> user = config.userWithToken(header.substring("Bearer ".length()).trim());
        if (user.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            error(ctx, 401, "unauthenticated", "the bearer token matches no API user");
            return;
        }
        if (user.get().expiredAt(Instant.now())) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            error(ctx, 401, "unauthenticated", "the token of user " + user.get().name() + " expired at " + user.get().expires());
            return;
        }
        ctx.put(PRINCIPAL, new Principal(user.get().name(), user.get().role()));
        ApiRole needed = ctx.request().method() == HttpMethod.GET ? ApiRole.VIEWER : ApiRole.OPERATOR;
        if (!user.get().role().allows(needed)) {
            error(ctx, 403, "forbidden", "user " + user.get().name() + " is a " + user.get().role().name().toLowerCase()
                    + "; " + ctx.request().method() + " " + ctx.request().path() + " needs " + needed.name().toLowerCase());
            return;
        }
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
            if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS || path.equals(REPORTS)) return;
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
