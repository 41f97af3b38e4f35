package dev.baton.chaos.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A STAND-IN for a Consul agent, not Consul: no Consul server can be installed here, so this answers
 * just the HTTP API calls Baton's Consul director makes, the way Consul 1.x answers them: KV get,
 * put and delete (with {@code ?cas=}); catalog register, deregister and service listing; the
 * {@code X-Consul-Index} headers. Anything else gets 501 naming the call, so a client that starts using more fails loudly
 * here instead of passing against a fake. The same scenarios run against the real image where Docker
 * exists.
 */
public final class ConsulStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KV = "/v1/kv/";
    private static final String SERVICE = "/v1/catalog/service/";

    private record Entry(byte[] value, long flags, long createIndex, long modifyIndex) {
    }

    private record Instance(String node, String address, String id, String name, String serviceAddress, int port,
                            JsonNode tags, JsonNode meta, long createIndex, long modifyIndex) {
    }

    private final HttpServer server;
    private final Map<String, Entry> kv = new TreeMap<>();
    /** By node, then service ID: as Consul keys its catalog. */
    private final Map<String, Map<String, Instance>> catalog = new TreeMap<>();
    /** One index for every write, like Consul's Raft index. */
    private long index;

    private ConsulStandIn(HttpServer server) {
        this.server = server;
    }

    /** Listens on a free port of {@code host}. */
    public static ConsulStandIn start(String host) {
        return start(host, 0);
    }

    /** Listens on {@code host:port}; 0 picks a free port. */
    public static ConsulStandIn start(String host, int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            ConsulStandIn standIn = new ConsulStandIn(server);
            server.createContext("/", standIn::handle);
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException("Consul stand-in could not listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** The keys it holds, as decoded from the request paths. */
    public synchronized Set<String> keys() {
        return new TreeSet<>(kv.keySet());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            // getPath() decodes %2F to '/', as Consul does: the client sends the key's slashes encoded.
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (this) {
                if (path.startsWith(KV) && path.length() > KV.length() && !query.containsKey("recurse") && !query.containsKey("keys")) {
                    String key = path.substring(KV.length());
                    switch (method) {
                        case "GET" -> getKey(exchange, key);
                        case "PUT" -> putKey(exchange, key, body, query);
                        case "DELETE" -> deleteKey(exchange, key, query);
                        default -> unsupported(exchange, method, path);
                    }
                } else if (path.equals("/v1/catalog/register") && method.equals("PUT")) {
                    register(exchange, body);
                } else if (path.equals("/v1/catalog/deregister") && method.equals("PUT")) {
                    deregister(exchange, body);
                } else if (path.startsWith(SERVICE) && method.equals("GET")) {
                    listService(exchange, path.substring(SERVICE.length()));
                } else {
                    unsupported(exchange, method, exchange.getRequestURI().getRawPath());
                }
            }
        }
    }

    private void getKey(HttpExchange exchange, String key) throws IOException {
        Entry entry = kv.get(key);
        if (entry == null) {
            reply(exchange, 404, "");
            return;
        }
        ObjectNode node = JSON.createObjectNode().put("LockIndex", 0).put("Key", key).put("Flags", entry.flags())
                .put("Value", Base64.getEncoder().encodeToString(entry.value()))
                .put("CreateIndex", entry.createIndex()).put("ModifyIndex", entry.modifyIndex());
        exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(entry.modifyIndex()));
        reply(exchange, 200, JSON.createArrayNode().add(node).toString());
    }

    private void putKey(HttpExchange exchange, String key, byte[] value, Map<String, String> query) throws IOException {
        Entry old = kv.get(key);
        if (!casHolds(exchange, old, query)) return;
        long flags = query.containsKey("flags") ? Long.parseLong(query.get("flags")) : 0;
        index++;
        kv.put(key, new Entry(value, flags, old == null ? index : old.createIndex(), index));
        reply(exchange, 200, "true");
    }

    private void deleteKey(HttpExchange exchange, String key, Map<String, String> query) throws IOException {
        if (!casHolds(exchange, kv.get(key), query)) return;
        if (kv.remove(key) != null) index++;
        reply(exchange, 200, "true");
    }

    /**
     * Whether a write's {@code ?cas=} holds (true without one); a lost or malformed one is answered here.
     * cas=0 creates only; cas=N writes only over ModifyIndex N. A lost CAS is 200 "false", as in Consul.
     */
    private static boolean casHolds(HttpExchange exchange, Entry old, Map<String, String> query) throws IOException {
        if (!query.containsKey("cas")) return true;
        long cas;
        try {
            cas = Long.parseLong(query.get("cas"));
        } catch (NumberFormatException e) {
            reply(exchange, 400, "Request decode failed: cas: invalid syntax " + query.get("cas"));
            return false;
        }
        boolean holds = cas == 0 ? old == null : old != null && old.modifyIndex() == cas;
        if (!holds) reply(exchange, 200, "false");
        return holds;
    }

    private void register(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request = JSON.readTree(body);
        String node = request.path("Node").asText("");
        String address = request.path("Address").asText("");
        if (node.isEmpty() || address.isEmpty()) {
            reply(exchange, 400, "Must provide node and address");
            return;
        }
        JsonNode service = request.path("Service");
        if (service.isMissingNode() || service.isNull()) {
            reply(exchange, 501, "Consul stand-in: a catalog register without Service is not implemented");
            return;
        }
        String name = service.path("Service").asText("");
        String id = service.path("ID").asText(name);
        Instance old = catalog.getOrDefault(node, Map.of()).get(id);
        index++;
        catalog.computeIfAbsent(node, n -> new TreeMap<>()).put(id, new Instance(node, address, id, name,
                service.path("Address").asText(""), service.path("Port").asInt(0), service.path("Tags"),
                service.path("Meta"), old == null ? index : old.createIndex(), index));
        reply(exchange, 200, "true");
    }

    /** Deregisters one service instance of a node; as in Consul, one that is not there is no error. */
    private void deregister(HttpExchange exchange, byte[] body) throws IOException {
        JsonNode request = JSON.readTree(body);
        String node = request.path("Node").asText("");
        String id = request.path("ServiceID").asText("");
        if (node.isEmpty()) {
            reply(exchange, 400, "Must provide node");
            return;
        }
        if (id.isEmpty()) {
            reply(exchange, 501, "Consul stand-in: a catalog deregister of a whole node or a check is not implemented");
            return;
        }
        Map<String, Instance> services = catalog.get(node);
        if (services != null && services.remove(id) != null) index++;
        reply(exchange, 200, "true");
    }

    private void listService(HttpExchange exchange, String name) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        catalog.values().stream().flatMap(m -> m.values().stream()).filter(i -> i.name().equals(name)).forEach(i -> {
            ObjectNode node = list.addObject().put("Node", i.node()).put("Address", i.address()).put("Datacenter", "dc1")
                    .put("ServiceID", i.id()).put("ServiceName", i.name()).put("ServiceAddress", i.serviceAddress())
                    .put("ServicePort", i.port()).put("CreateIndex", i.createIndex()).put("ModifyIndex", i.modifyIndex());
            node.set("ServiceTags", i.tags().isArray() ? i.tags() : JSON.createArrayNode());
            node.set("ServiceMeta", i.meta().isObject() ? i.meta() : JSON.createObjectNode());
            node.set("NodeMeta", JSON.createObjectNode());
        });
        exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(Math.max(index, 1)));
        reply(exchange, 200, list.toString());
    }

    private static void unsupported(HttpExchange exchange, String method, String path) throws IOException {
        reply(exchange, 501, "Consul stand-in does not implement " + method + " " + path
                + " (only KV get/put/delete of one key and catalog register/deregister/service)");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // Consul sends these on every read; the client parses them into each response.
        exchange.getResponseHeaders().putIfAbsent("X-Consul-Index", List.of("0"));
        exchange.getResponseHeaders().set("X-Consul-Knownleader", "true");
        exchange.getResponseHeaders().set("X-Consul-Lastcontact", "0");
        exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) return params;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            params.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }
}
