package dev.baton.chaos.workload.load;

import dev.baton.wire.Dns;
import org.xbill.DNS.ARecord;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Resolves the checkout name the way a well-behaved client does: ask the lab's DNS server,
 * keep the answer for its TTL, ask again after. This is what lets a DNS flip drain traffic
 * from one DC's checkout app to another's.
 */
public final class CheckoutResolver {

    /** One A answer and how long it may be cached. */
    record Answer(InetAddress address, long ttlSeconds) {
    }

    /** Asks the DNS server once; a seam so the caching can be tested on a fake clock. */
    @FunctionalInterface
    interface Query {
        Answer ask() throws IOException;
    }

    private final String name;
    private final Query query;
    private final LongSupplier nanoClock;
    private Answer cached;
    private long expiresAtNanos;
    private long lookups;

    CheckoutResolver(String name, Query query, LongSupplier nanoClock) {
        this.name = name;
        this.query = query;
        this.nanoClock = nanoClock;
    }

    /** Resolves {@link Dns#checkoutName()} through {@link Dns#server()} over UDP. */
    public static CheckoutResolver of(Dns dns) {
        Name qname;
        try {
            qname = Name.fromString(dns.checkoutName(), Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad checkout name " + dns.checkoutName() + ": " + e.getMessage(), e);
        }
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(dns.server().host(), dns.server().port()));
        resolver.setTimeout(Duration.ofSeconds(1));
        String where = qname + " at " + dns.server();
        return new CheckoutResolver(qname.toString(), () -> ask(resolver, qname, where), System::nanoTime);
    }

    private static Answer ask(SimpleResolver resolver, Name qname, String where) throws IOException {
        Message response = resolver.send(Message.newQuery(Record.newRecord(qname, Type.A, DClass.IN)));
        if (response.getRcode() != Rcode.NOERROR) {
            throw new IOException("DNS lookup of " + where + " failed: " + Rcode.string(response.getRcode()));
        }
        for (Record r : response.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) return new Answer(a.getAddress(), a.getTTL());
        }
        throw new IOException("DNS lookup of " + where + " returned no A record");
    }

    /** The current address: the cached answer while its TTL lasts, a fresh lookup after. */
    public synchronized InetAddress resolve() throws IOException {
        long now = nanoClock.getAsLong();
        if (cached == null || now - expiresAtNanos >= 0) {
            cached = query.ask();
            expiresAtNanos = now + Duration.ofSeconds(cached.ttlSeconds()).toNanos();
            lookups++;
        }
        return cached.address();
    }

    /** How many times the DNS server was asked. */
    public synchronized long lookups() {
        return lookups;
    }

    public String name() {
        return name;
    }
}
