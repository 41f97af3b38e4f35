package dev.baton.orchestrator.traffic;

import dev.baton.wire.Endpoint;
import dev.baton.wire.Tsig;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Reads and replaces A records on an authoritative server over DNS itself: queries, and RFC 2136
 * UPDATE messages signed with a TSIG key. Works with any server that takes signed updates
 * (PowerDNS with {@code dnsupdate=yes}, BIND's {@code update-policy}).
 */
public final class DnsUpdateClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Endpoint server;
    private final Tsig key;
    private final SimpleResolver queries;
    private final SimpleResolver updates;

    public DnsUpdateClient(Endpoint server, Tsig key) {
        this.server = server;
        this.key = key;
        // TCP: a lost UDP answer to an UPDATE would leave it unknown whether the change was applied, and a
        // record set read over TCP is never truncated.
        this.queries = resolver(server);
        this.updates = resolver(server);
        updates.setTSIGKey(tsig(key));
    }

    /** The A record set {@code name} as the server answers it; empty when it has none. */
    public List<ARecord> aRecords(String name) {
        Name qname = name(name);
        Message response;
        try {
            response = queries.send(Message.newQuery(Record.newRecord(qname, Type.A, DClass.IN)));
        } catch (IOException e) {
            throw new TrafficException("DNS server " + server + " did not answer " + qname + " A over TCP: " + e.getMessage(), e);
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new TrafficException("DNS server " + server + " answered " + qname + " A with " + Rcode.string(rcode)
                    + (rcode == Rcode.REFUSED ? " (it serves no zone holding that name)" : ""));
        }
        return response.getSection(Section.ANSWER).stream()
                .filter(r -> r instanceof org.xbill.DNS.ARecord && r.getName().equals(qname))
                .map(r -> new ARecord(qname.toString(), ((org.xbill.DNS.ARecord) r).getAddress().getHostAddress(), (int) r.getTTL()))
                .toList();
    }

    /**
     * Replaces the A record set {@code name} in {@code zone} by the one address {@code ip}; says what
     * it was before (its first address). A record that already says exactly that is left as it is.
     */
    public DnsChange setARecord(String zone, String name, String ip, int ttl) {
        Name zoneName = name(zone);
        Name recordName = name(name);
        if (!recordName.subdomain(zoneName)) {
            throw new TrafficException("cannot update " + recordName + " A on DNS server " + server
                    + ": the name is outside the zone " + zoneName);
        }
        List<ARecord> before = aRecords(recordName.toString());
        ARecord after = new ARecord(recordName.toString(), ip, ttl);
        DnsChange change = new DnsChange(zoneName.toString(), recordName.toString(), before.isEmpty() ? null : before.getFirst(), after);
        // Leave an unchanged record alone: every update bumps the zone's SOA serial.
        if (before.equals(List.of(after))) return change;

        Update update = new Update(zoneName);
        // Conditional on the record set read above, so a concurrent change is reported (NXRRSET), never overwritten.
        if (before.isEmpty()) {
            update.absent(recordName, Type.A);
        } else {
            before.forEach(r -> update.present(aRecord(recordName, r.ip(), 0)));
        }
        update.replace(aRecord(recordName, ip, ttl));
        send(update, "update " + recordName + " A -> " + ip + " (TTL " + ttl + ") in zone " + zoneName
                + " signed with TSIG key " + key.name());
        return change;
    }

    private void send(Update update, String what) {
        Message response;
        try {
            response = updates.send(update);
        } catch (IOException e) {
            throw new TrafficException("DNS server " + server + " did not answer over TCP, could not " + what + ": "
                    + e.getMessage(), e);
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR) {
            throw new TrafficException("DNS server " + server + " refused to " + what + ": " + Rcode.string(rcode)
                    + tsigError(response) + hint(rcode));
        }
        if (!response.isVerified()) {
            throw new TrafficException("DNS server " + server + " answered NOERROR to " + what
                    + " without a valid signature of that key: the change is unconfirmed");
        }
    }

    private static String tsigError(Message response) {
        TSIGRecord tsig = response.getTSIG();
        return tsig != null && tsig.getError() != Rcode.NOERROR ? ", TSIG " + Rcode.TSIGstring(tsig.getError()) : "";
    }

    private static String hint(int rcode) {
        return switch (rcode) {
            case Rcode.REFUSED -> " (a wrong or unknown key, or a key or sender not allowed to update this zone)";
            case Rcode.NOTAUTH -> " (the server is not authoritative for the zone, or the key's signature is wrong)";
            case Rcode.NOTZONE -> " (the record is outside the zone)";
            case Rcode.NXRRSET, Rcode.YXRRSET -> " (the record changed since it was read; nothing was changed)";
            case Rcode.SERVFAIL -> " (the server could not apply it; see its log)";
            default -> "";
        };
    }

    private static org.xbill.DNS.ARecord aRecord(Name name, String ip, int ttl) {
        try {
            return new org.xbill.DNS.ARecord(name, DClass.IN, ttl, Address.getByAddress(ip, Address.IPv4));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip, e);
        }
    }

    private static SimpleResolver resolver(Endpoint server) {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(server.host(), server.port()));
        resolver.setTCP(true);
        resolver.setTimeout(TIMEOUT);
        return resolver;
    }

    private static TSIG tsig(Tsig key) {
        try {
            return new TSIG(key.algorithm(), key.name(), key.secret());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unusable TSIG key " + key + ": " + e.getMessage(), e);
        }
    }

    private static Name name(String name) {
        try {
            return Name.fromString(PowerDnsClient.fqdn(name));
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name + " (" + e.getMessage() + ")", e);
        }
    }
}
