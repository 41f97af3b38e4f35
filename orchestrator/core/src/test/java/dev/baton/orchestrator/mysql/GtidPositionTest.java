package dev.baton.orchestrator.mysql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GtidPositionTest {

    @Test
    void parsesAndPrintsAPosition() {
        GtidPosition p = GtidPosition.parse("0-1-42, 1-3-7");
        assertThat(p.gtids()).containsExactly(new GtidPosition.Gtid(0, 1, 42), new GtidPosition.Gtid(1, 3, 7));
        assertThat(p).hasToString("0-1-42,1-3-7");
        assertThat(GtidPosition.parse("")).isEqualTo(GtidPosition.EMPTY);
        assertThat(GtidPosition.parse(null)).isEqualTo(GtidPosition.EMPTY);
    }

    @Test
    void refusesWhatIsNotAGtid() {
        assertThatThrownBy(() -> GtidPosition.parse("0-1")).hasMessageContaining("'0-1'");
        assertThatThrownBy(() -> GtidPosition.parse("0-1-x,0-2-3")).hasMessageContaining("'0-1-x'");
    }

    @Test
    void containsComparesSequencesPerDomainWhateverTheServer() {
        GtidPosition replica = GtidPosition.parse("0-2-10,1-1-5");
        assertThat(replica.contains(GtidPosition.parse("0-1-10"))).isTrue();
        assertThat(replica.contains(GtidPosition.parse("0-1-9,1-1-5"))).isTrue();
        assertThat(replica.contains(GtidPosition.parse("0-1-11"))).isFalse();
        assertThat(replica.contains(GtidPosition.parse("2-1-1"))).isFalse();
        assertThat(replica.contains(GtidPosition.EMPTY)).isTrue();
        assertThat(GtidPosition.EMPTY.contains(replica)).isFalse();
    }

    @Test
    void behindCountsMissingTransactions() {
        assertThat(GtidPosition.parse("0-1-10,1-1-5").behind(GtidPosition.parse("0-1-15,1-1-5,2-1-3"))).isEqualTo(8);
        assertThat(GtidPosition.parse("0-1-10").behind(GtidPosition.parse("0-1-4"))).isZero();
    }

    @Test
    void errantGtidsAreThoseThePrimaryStateNeverHad() {
        GtidPosition primaryState = GtidPosition.parse("0-1-100,0-2-50");
        // Server 2 was primary once (0-2-50): its GTIDs are known to the primary, so not errant.
        assertThat(GtidPosition.parse("0-2-50,0-1-90").notIn(primaryState)).isEmpty();
        // A write on server 2 while it replicated: 0-2-101 is nowhere on the primary.
        assertThat(GtidPosition.parse("0-2-101,0-1-100").notIn(primaryState)).containsExactly(new GtidPosition.Gtid(0, 2, 101));
        // A domain the primary never wrote in.
        assertThat(GtidPosition.parse("0-1-100,5-2-1").notIn(primaryState)).containsExactly(new GtidPosition.Gtid(5, 2, 1));
    }
}
