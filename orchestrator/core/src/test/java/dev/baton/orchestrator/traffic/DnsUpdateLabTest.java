package dev.baton.orchestrator.traffic;

import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import dev.baton.wire.Dns;
import dev.baton.wire.Topology;
import dev.baton.wire.Tsig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 2136 updates signed with TSIG against the lab's real PowerDNS (dnsupdate=yes, the zone bound to the lab's key). */
class DnsUpdateLabTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    static Lab lab;
    static Dns dns;
    static String name;
    static ARecord atEast;
    static ARecord atWest;
    static AuthoritativeDns server;

    @BeforeAll
    static void up() {
        lab = Lab.up(new LabSpec(dir.resolve("lab"), List.of("east", "west"), 1, 0, false));
        Topology topology = lab.topology();
        dns = topology.dns();
        name = dns.checkoutName();
        atEast = new ARecord(name, topology.datacenter("east").orElseThrow().address(), dns.ttl());
        atWest = new ARecord(name, topology.datacenter("west").orElseThrow().address(), dns.ttl());
        server = new AuthoritativeDns(dns.server());
    }

    @AfterAll
    static void down() {
        if (lab != null) lab.down();
    }

    @Test
    void theCheckoutRecordFlipsToWestAndBackThroughSignedUpdates() throws Exception {
        CheckoutDnsUpdate director = new CheckoutDnsUpdate(dns);
        assertThat(server.query(name)).contains(atEast);
        assertThat(director.current()).contains(atEast);
        assertThat(director.preview(atWest.ip())).isEqualTo(new DnsChange(dns.zone(), name, atEast, atWest));
        assertThat(server.query(name)).as("a preview changes nothing").contains(atEast);
        long serialBefore = soaSerial();
        try {
            long started = System.nanoTime();
            DnsChange flip = director.pointAt(atWest.ip());
            System.out.printf("RFC 2136 flip east -> west, served by the authoritative server: %d ms%n",
                    (System.nanoTime() - started) / 1_000_000);
            assertThat(flip).isEqualTo(new DnsChange(dns.zone(), name, atEast, atWest));
            assertThat(flip.changed()).isTrue();
            assertThat(server.query(name)).contains(atWest);
            assertThat(new PowerDnsClient(dns.apiUrl(), dns.apiKey()).aRecord(dns.zone(), name))
                    .as("the update landed in the backend the API reads").contains(atWest);
            long serialAfter = soaSerial();
            assertThat(serialAfter).as("the update bumped the zone's serial").isGreaterThan(serialBefore);

            DnsChange again = director.pointAt(atWest.ip());
            assertThat(again.changed()).isFalse();
            assertThat(again.before()).isEqualTo(atWest);
            assertThat(soaSerial()).as("an unchanged record is not updated at all").isEqualTo(serialAfter);
        } finally {
            DnsChange back = director.pointAt(atEast.ip());
            assertThat(back.before()).isEqualTo(atWest);
        }
        assertThat(server.query(name)).contains(atEast);
    }

    @Test
    void aRecordSetWithBothDcsIsReplacedByTheOneAddress() throws Exception {
        DnsUpdateClient client = new DnsUpdateClient(dns.server(), dns.tsig());
        Update both = new Update(Name.fromString(dns.zone()));
        both.add(Name.fromString(name), Type.A, dns.ttl(), atWest.ip());
        SimpleResolver signed = resolver();
        signed.setTSIGKey(new TSIG(dns.tsig().algorithm(), dns.tsig().name(), dns.tsig().secret()));
        assertThat(signed.send(both).getRcode()).isEqualTo(Rcode.NOERROR);
        try {
            assertThat(client.aRecords(name)).containsExactlyInAnyOrder(atEast, atWest);
            DnsChange change = new CheckoutDnsUpdate(dns).pointAt(atWest.ip());
            assertThat(change.changed()).isTrue();
            assertThat(client.aRecords(name)).containsExactly(atWest);
        } finally {
            new CheckoutDnsUpdate(dns).pointAt(atEast.ip());
        }
        assertThat(client.aRecords(name)).containsExactly(atEast);
    }

    @Test
    void aWrongSecretOrAnUnknownKeyIsRefusedNamingServerRecordAndRcodeAndChangesNothing() {
        Tsig key = dns.tsig();
        Tsig wrongSecret = new Tsig(key.name(), key.algorithm(), randomSecret());
        assertThatThrownBy(() -> new CheckoutDnsUpdate(withKey(wrongSecret)).pointAt(atWest.ip()))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("DNS server " + dns.server())
                .hasMessageContaining(name + " A -> " + atWest.ip())
                .hasMessageContaining("TSIG key " + key.name())
                .hasMessageContaining(": REFUSED")
                .hasMessageNotContaining(wrongSecret.secret());
        assertThat(server.query(name)).contains(atEast);

        Tsig unknown = new Tsig("someone-else.", key.algorithm(), key.secret());
        assertThatThrownBy(() -> new DnsUpdateClient(dns.server(), unknown).setARecord(dns.zone(), name, atWest.ip(), 1))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("TSIG key someone-else.").hasMessageContaining(": REFUSED");
        assertThat(server.query(name)).contains(atEast);
    }

    @Test
    void theZoneTakesNoUnsignedUpdates() throws Exception {
        assertThat(rawUpdate(null, Name.fromString(name))).isEqualTo(Rcode.REFUSED);
        assertThat(server.query(name)).contains(atEast);
    }

    @Test
    void updatesOutsideTheZoneAreRefused() throws Exception {
        DnsUpdateClient client = new DnsUpdateClient(dns.server(), dns.tsig());
        assertThatThrownBy(() -> client.setARecord(dns.zone(), "checkout.other.test.", atWest.ip(), 1))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("checkout.other.test.").hasMessageContaining("outside the zone " + dns.zone());
        assertThatThrownBy(() -> client.setARecord("other.test.", "checkout.other.test.", atWest.ip(), 1))
                .isInstanceOf(TrafficException.class)
                .hasMessageContaining("DNS server " + dns.server()).hasMessageContaining("checkout.other.test.")
                .hasMessageContaining("REFUSED");
        // What the client spares the server: a correctly signed update carrying a record outside its zone.
        TSIG key = new TSIG(dns.tsig().algorithm(), dns.tsig().name(), dns.tsig().secret());
        assertThat(rawUpdate(key, Name.fromString("checkout.other.test."))).isEqualTo(Rcode.NOTZONE);
        assertThat(server.query(name)).contains(atEast);
    }

    @Test
    void aTopologyWithoutAKeyIsRefusedUpFront() {
        assertThatThrownBy(() -> new CheckoutDnsUpdate(withKey(null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no TSIG key").hasMessageContaining(dns.server().toString());
    }

    private static Dns withKey(Tsig key) {
        return new Dns(dns.zone(), dns.checkoutName(), dns.ttl(), dns.server(), dns.apiUrl(), dns.apiKey(), key);
    }

    private static String randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    /** Sends a bare UPDATE of the zone replacing {@code record} A by west's address; returns the server's RCODE. */
    private static int rawUpdate(TSIG key, Name record) throws Exception {
        SimpleResolver resolver = resolver();
        if (key != null) resolver.setTSIGKey(key);
        Update update = new Update(Name.fromString(dns.zone()));
        update.replace(record, Type.A, 1, atWest.ip());
        return resolver.send(update).getRcode();
    }

    private static long soaSerial() throws Exception {
        Message answer = resolver().send(Message.newQuery(Record.newRecord(Name.fromString(dns.zone()), Type.SOA, DClass.IN)));
        return answer.getSection(Section.ANSWER).stream().filter(SOARecord.class::isInstance).map(SOARecord.class::cast)
                .findFirst().orElseThrow().getSerial();
    }

    private static SimpleResolver resolver() {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(dns.server().host(), dns.server().port()));
        resolver.setTCP(true);
        return resolver;
    }
}
