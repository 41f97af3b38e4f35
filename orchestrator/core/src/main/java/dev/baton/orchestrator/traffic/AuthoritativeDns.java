package dev.baton.orchestrator.traffic;

import dev.baton.wire.Endpoint;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks the authoritative server itself, over DNS (UDP), what it serves: the API accepting a change
 * is not proof that clients get the new answer.
 */
public final class AuthoritativeDns {
    private static final Duration QUERY_TIMEOUT = Duration.ofMillis(500);
    private static final long POLL_MS = 10;

    private final Endpoint server;
    private final SimpleResolver resolver;

    public AuthoritativeDns(Endpoint server) {
        this.server = server;
        this.resolver = new SimpleResolver(new InetSocketAddress(server.host(), server.port()));
        resolver.setTimeout(QUERY_TIMEOUT);
    }

    /** The A answer for {@code name} (the first one); empty when the server answers without one. */
    public Optional<ARecord> query(String name) {
        Name qname = name(name);
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(qname, Type.A, DClass.IN)));
        } catch (IOException e) {
            throw new TrafficException("DNS server " + server + " did not answer " + qname + " A: " + e.getMessage(), e);
        }
        if (response.getRcode() != Rcode.NOERROR && response.getRcode() != Rcode.NXDOMAIN) {
            throw new TrafficException("DNS server " + server + " answered " + qname + " A with " + Rcode.string(response.getRcode()));
        }
        return response.getSection(Section.ANSWER).stream()
                .filter(org.xbill.DNS.ARecord.class::isInstance).map(org.xbill.DNS.ARecord.class::cast).findFirst()
                .map(a -> new ARecord(a.getName().toString(), a.getAddress().getHostAddress(), (int) a.getTTL()));
    }

    /** Polls until the server answers {@code name} with {@code ip}; returns how long that took, in ms. */
    public long awaitAddress(String name, String ip, Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        String last;
        while (true) {
            try {
                Optional<ARecord> answer = query(name);
                if (answer.isPresent() && answer.get().ip().equals(ip)) return (System.nanoTime() - started) / 1_000_000;
                last = answer.map(a -> "it answers " + a.ip()).orElse("it answers no A record");
            } catch (TrafficException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new TrafficException("DNS server " + server + " does not serve " + name + " -> " + ip + " within "
                        + timeout.toMillis() + " ms; " + last);
            }
            sleep();
        }
    }

    private static Name name(String name) {
        try {
            return Name.fromString(PowerDnsClient.fqdn(name));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name + " (" + e.getMessage() + ")", e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrafficException("interrupted while waiting for a DNS answer", e);
        }
    }
}
