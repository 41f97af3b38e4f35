package dev.baton.chaos.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.wire.Dns;
import dev.baton.wire.Tsig;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The lab's authoritative DNS: PowerDNS with a sqlite backend, the zone created over its HTTP API. */
final class PowerDns {
    static final String BINARY = "/usr/sbin/pdns_server";
    static final String SQLITE = "/usr/bin/sqlite3";
    static final Path SCHEMA = Path.of("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private PowerDns() {
    }

    static List<String> prepare(Dns dns, Path home) {
        if (!Files.isRegularFile(SCHEMA)) {
            throw new LabException("PowerDNS sqlite schema " + SCHEMA + " is missing: " + Binaries.INSTALL_LINE);
        }
        Path db = home.resolve("pdns.sqlite3");
        try {
            Files.createDirectories(home);
            Files.deleteIfExists(db);
            Files.writeString(home.resolve("pdns.conf"), Templates.render("pdns.conf", Map.of(
                    "home", home, "address", dns.server().host(), "port", dns.server().port(),
                    "apiKey", dns.apiKey(), "apiPort", URI.create(dns.apiUrl()).getPort())));
        } catch (IOException e) {
            throw new LabException("cannot prepare PowerDNS in " + home + ": " + e.getMessage(), e);
        }
        Processes.run(List.of(SQLITE, db.toString()), home.resolve("sqlite.log"), Optional.of(SCHEMA), Duration.ofSeconds(30));
        // PowerDNS reads pdns.conf from --config-dir only, never from /etc/powerdns.
        return List.of(BINARY, "--config-dir=" + home);
    }

    static void awaitReady(LabProcess process, Dns dns, String marker) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                if (send(dns, "GET", "/api/v1/servers/localhost", null).statusCode() == 200) return;
            } catch (IOException e) {
                if (Processes.gone(process.pid(), marker)) {
                    throw Processes.exitedWhileStarting("pdns_server", process.pid(), process.log());
                }
                if (System.nanoTime() > deadline) {
                    throw new LabException("PowerDNS API at " + dns.apiUrl() + " did not answer within "
                            + START_TIMEOUT.toSeconds() + " s (log: " + process.log() + ")");
                }
            }
            Processes.sleep(20);
        }
    }

    /** Creates the zone with its SOA/NS and the checkout A record pointing at {@code address}. */
    static void createZone(Dns dns, String address) {
        Map<String, Object> zone = Map.of(
                "name", dns.zone(),
                "kind", "Native",
                "nameservers", List.of("ns1." + dns.zone()),
                "rrsets", List.of(Map.of(
                        "name", dns.checkoutName(), "type", "A", "ttl", dns.ttl(), "changetype", "REPLACE",
                        "records", List.of(Map.of("content", address, "disabled", false)))));
        try {
            HttpResponse<String> response = send(dns, "POST", "/api/v1/servers/localhost/zones", JSON.writeValueAsString(zone));
            if (response.statusCode() != 201) {
                throw new LabException("PowerDNS refused zone " + dns.zone() + ": HTTP " + response.statusCode() + " "
                        + response.body());
            }
        } catch (IOException e) {
            throw new LabException("cannot create zone " + dns.zone() + " at " + dns.apiUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Lets the topology's TSIG key update the zone over RFC 2136: the key goes into the backend's tsigkeys
     * and the zone's TSIG-ALLOW-DNSUPDATE metadata names it, so unsigned or wrongly signed updates are refused.
     */
    static void allowSignedUpdates(Dns dns) {
        Tsig key = dns.tsig();
        post(dns, "/api/v1/servers/localhost/tsigkeys",
                Map.of("name", key.name(), "algorithm", key.algorithm(), "key", key.secret()), "TSIG key " + key.name());
        post(dns, "/api/v1/servers/localhost/zones/" + dns.zone() + "/metadata",
                Map.of("kind", "TSIG-ALLOW-DNSUPDATE", "metadata", List.of(key.name())),
                "TSIG-ALLOW-DNSUPDATE " + key.name() + " on zone " + dns.zone());
    }

    private static void post(Dns dns, String path, Map<String, Object> body, String what) {
        try {
            HttpResponse<String> response = send(dns, "POST", path, JSON.writeValueAsString(body));
            if (response.statusCode() != 201 && response.statusCode() != 200) {
                throw new LabException("PowerDNS at " + dns.apiUrl() + " refused " + what + ": HTTP " + response.statusCode()
                        + " " + response.body());
            }
        } catch (IOException e) {
            throw new LabException("cannot create " + what + " at " + dns.apiUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Asks the server itself, over DNS, until it serves the checkout record (the API may answer before the listener does). */
    static void awaitAnswer(Dns dns, String address) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        try {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(dns.server().host(), dns.server().port()));
            resolver.setTimeout(Duration.ofMillis(500));
            Message query = Message.newQuery(Record.newRecord(Name.fromString(dns.checkoutName()), Type.A, DClass.IN));
            while (System.nanoTime() < deadline) {
                try {
                    List<Record> answers = resolver.send(query).getSection(Section.ANSWER);
                    if (answers.size() == 1 && answers.getFirst() instanceof ARecord a
                            && a.getAddress().getHostAddress().equals(address)) {
                        return;
                    }
                    last = "answer " + answers;
                } catch (IOException e) {
                    last = e.getMessage();
                }
                Processes.sleep(20);
            }
        } catch (IOException e) {
            last = e.getMessage();
        }
        throw new LabException("PowerDNS at " + dns.server() + " does not serve " + dns.checkoutName() + " -> " + address
                + " within " + START_TIMEOUT.toSeconds() + " s: " + last);
    }

    private static HttpResponse<String> send(Dns dns, String method, String path, String body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(dns.apiUrl() + path))
                .timeout(Duration.ofSeconds(5))
                .header("X-API-Key", dns.apiKey())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted", e);
        }
    }
}
