package dev.baton.orchestrator.traffic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The PowerDNS authoritative server's HTTP API (v1, server {@code localhost}): read and replace A records. */
public final class PowerDnsClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String apiUrl;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** @param apiUrl the API's base, e.g. {@code http://127.0.0.1:8081} */
    public PowerDnsClient(String apiUrl, String apiKey) {
        this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.apiKey = apiKey;
    }

    /** The A record {@code name} in {@code zone} (its first enabled address); empty when the zone has none. */
    public Optional<ARecord> aRecord(String zone, String name) {
        String zoneName = fqdn(zone);
        String recordName = fqdn(name);
        HttpResponse<String> response = send("GET", zoneName, null, "read " + recordName + " A in zone " + zoneName);
        expect(response, 200, "read " + recordName + " A in zone " + zoneName);
        JsonNode rrsets;
        try {
            rrsets = json.readTree(response.body()).path("rrsets");
        } catch (JsonProcessingException e) {
            throw new TrafficException("PowerDNS at " + apiUrl + " answered zone " + zoneName + " with malformed JSON: "
                    + e.getOriginalMessage(), e);
        }
        for (JsonNode rrset : rrsets) {
            if (!rrset.path("name").asText().equalsIgnoreCase(recordName) || !rrset.path("type").asText().equals("A")) continue;
            for (JsonNode record : rrset.path("records")) {
                if (!record.path("disabled").asBoolean(false)) {
                    return Optional.of(new ARecord(recordName, record.path("content").asText(), rrset.path("ttl").asInt()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Replaces the A record set {@code name} in {@code zone} by the one address {@code ip}; says what
     * it was before. A record that already says exactly that is left as it is.
     */
    public DnsChange setARecord(String zone, String name, String ip, int ttl) {
        String zoneName = fqdn(zone);
        String recordName = fqdn(name);
        ARecord before = aRecord(zoneName, recordName).orElse(null);
        ARecord after = new ARecord(recordName, ip, ttl);
        // Leave an unchanged record alone: every API change bumps the zone's SOA serial.
        if (after.equals(before)) return new DnsChange(zoneName, recordName, before, after);
        ObjectNode body = json.createObjectNode();
        ObjectNode rrset = body.putArray("rrsets").addObject()
                .put("name", recordName).put("type", "A").put("ttl", ttl).put("changetype", "REPLACE");
        rrset.putArray("records").addObject().put("content", ip).put("disabled", false);
        String what = "set " + recordName + " A " + ip + " (TTL " + ttl + ") in zone " + zoneName;
        expect(send("PATCH", zoneName, body.toString(), what), 204, what);
        return new DnsChange(zoneName, recordName, before, after);
    }

    private HttpResponse<String> send(String method, String zone, String body, String what) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1/servers/localhost/zones/" + zone))
                .timeout(TIMEOUT)
                .header("X-API-Key", apiKey)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TrafficException("PowerDNS API at " + apiUrl + " unreachable, could not " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrafficException("interrupted before PowerDNS at " + apiUrl + " answered: " + what, e);
        }
    }

    private void expect(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new TrafficException("PowerDNS at " + apiUrl + " refused to " + what + ": HTTP " + response.statusCode()
                    + " " + response.body().strip());
        }
    }

    /** PowerDNS names zones and records with the trailing dot. */
    static String fqdn(String name) {
        return name.endsWith(".") ? name : name + ".";
    }
}
