package dev.baton.orchestrator.health;

import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class HealthViewTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final Topology topology = Reports.topology("east", "west");
    private final HealthView view = new HealthView(topology, HealthPolicy.defaults());
    private Instant now = T0;
    private long sequence = 100;

    /** What each agent reports in one tick; null means the agent stays silent. */
    private record Tick(Function<Reports.Builder, Reports.Builder> east, Function<Reports.Builder, Reports.Builder> west) {
    }

    private static final Function<Reports.Builder, Reports.Builder> FINE = b -> b;

    /** One second passes: the agents that speak report, then the view evaluates. */
    private HealthSnapshot tick(Tick tick) {
        now = now.plusSeconds(1);
        report("agent-east-1", "east", tick.east());
        report("agent-west-1", "west", tick.west());
        return view.evaluate(now);
    }

    private List<HealthSnapshot> ticks(int n, Tick tick) {
        List<HealthSnapshot> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(tick(tick));
        return all;
    }

    private void report(String agentId, String dc, Function<Reports.Builder, Reports.Builder> faults) {
        if (faults == null) return;
        HealthReport report = faults.apply(new Reports.Builder(topology, agentId, dc)).build(++sequence, now);
        view.record(report, now);
    }

    @Test
    void withoutAnyReportEveryDcIsUnknown() {
        assertThat(view.latest().dc("east").verdict()).isEqualTo(Verdict.UNKNOWN);
        HealthSnapshot s = view.evaluate(T0);
        assertThat(s.dc("east").verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(s.dc("east").reasons()).contains("no report ever from an agent of east", "no agent of another DC and no coordinator outside it reports on it");
        assertThat(s.shard("s1").problems()).contains("no fresh report for s1-east");
    }

    @Test
    void dcsWhoseAgentsReportNoProblemAreHealthy() {
        HealthSnapshot s = tick(new Tick(FINE, FINE));
        assertThat(s.datacenters()).allSatisfy(d -> {
            assertThat(d.verdict()).isEqualTo(Verdict.HEALTHY);
            assertThat(d.reasons()).isEmpty();
        });
        ShardHealth s1 = s.shard("s1");
        assertThat(s1.primary()).contains("s1-east");
        assertThat(s1.problems()).isEmpty();
        assertThat(s1.servers()).filteredOn(sv -> sv.serverId().equals("s1-west")).singleElement().satisfies(sv -> {
            assertThat(sv.replicating()).isTrue();
            assertThat(sv.lagSeconds()).isZero();
            assertThat(sv.gtidCurrentPos()).isEqualTo(Reports.GTID);
        });
    }

    @Test
    void aDeadReplicaDegradesItsDcOnceTheVerdictHeld() {
        ticks(3, new Tick(FINE, FINE));
        Instant faultAt = now.plusSeconds(1);
        HealthSnapshot first = tick(new Tick(FINE, b -> b.serverDown("s1-west")));
        assertThat(first.dc("west").verdict()).as("one evaluation is not enough").isEqualTo(Verdict.HEALTHY);
        assertThat(first.dc("west").reasons()).singleElement().asString()
                .startsWith("becoming DEGRADED if it holds for 2.0 s").contains("s1-west unreachable");
        assertThat(first.shard("s1").problems()).singleElement().asString()
                .isEqualTo("s1-west unreachable: s1-west at 127.0.2.1:3301: Connection refused");

        tick(new Tick(FINE, b -> b.serverDown("s1-west")));
        DcHealth west = tick(new Tick(FINE, b -> b.serverDown("s1-west"))).dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(west.reasons()).containsExactly("s1-west unreachable: s1-west at 127.0.2.1:3301: Connection refused");
        assertThat(west.since()).isEqualTo(faultAt.plusSeconds(2));
        assertThat(view.latest().dc("east").verdict()).isEqualTo(Verdict.HEALTHY);

        ticks(2, new Tick(FINE, FINE));
        assertThat(tick(new Tick(FINE, FINE)).dc("west").verdict()).as("recovers after the same hold").isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void everyLocalProbeCanDegradeItsDc() {
        assertThat(settledWest(b -> b.replicationStopped("s2-west")).reasons()).containsExactly(
                "s2-west replication stopped (IO thread stopped, SQL thread running): IO: error connecting to master");
        assertThat(settledWest(b -> b.lag("s1-west", 6)).reasons()).containsExactly("s1-west lags 6 s (threshold 5 s)");
        assertThat(settledWest(b -> b.lag("s1-west", 5)).verdict()).as("at the threshold").isEqualTo(Verdict.HEALTHY);
        assertThat(settledWest(Reports.Builder::haproxyDown).reasons()).containsExactly(
                "HAProxy runtime API of west at 127.0.2.1:9000: Connection refused");
        assertThat(settledWest(Reports.Builder::checkoutFailing).reasons()).containsExactly(
                "checkout west at http://127.0.2.1:8080/health: status 503");
        assertThat(settledWest(b -> b.writable("s1-west").serverDown("s2-west")).reasons()).containsExactly(
                "s2-west unreachable: s2-west at 127.0.2.1:3302: Connection refused");
    }

    private DcHealth settledWest(Function<Reports.Builder, Reports.Builder> faults) {
        HealthView fresh = new HealthView(topology, HealthPolicy.defaults());
        HealthReport report = faults.apply(new Reports.Builder(topology, "agent-west-1", "west")).build(1, T0);
        fresh.record(report, T0);
        return fresh.evaluate(T0).dc("west");
    }

    @Test
    void zeroOrTwoWritablePrimariesAreShardProblems() {
        HealthSnapshot two = tick(new Tick(FINE, b -> b.writable("s1-west")));
        assertThat(two.shard("s1").writable()).containsExactly("s1-east", "s1-west");
        assertThat(two.shard("s1").primary()).isEmpty();
        assertThat(two.shard("s1").problems()).containsExactly("2 writable primaries: s1-east, s1-west");
        assertThat(two.shard("s2").problems()).isEmpty();

        HealthSnapshot none = tick(new Tick(b -> b.serverDown("s2-east"), FINE));
        assertThat(none.shard("s2").writable()).isEmpty();
        assertThat(none.shard("s2").problems()).containsExactly("no writable primary",
                "s2-east unreachable: s2-east at 127.0.1.1:3302: Connection refused");
    }

    @Test
    void aDcIsDownWhenItsAgentsAreSilentAndNoOtherDcReachesIt() {
        ticks(3, new Tick(FINE, FINE));
        List<HealthSnapshot> after = ticks(8, new Tick(b -> b.cannotReach("west"), null));
        // Silent once 3 s passed without a report, then the verdict must hold 2 s: DOWN at the 5th second, never before.
        assertThat(after).extracting(s -> s.dc("west").verdict()).containsExactly(Verdict.HEALTHY, Verdict.HEALTHY,
                Verdict.HEALTHY, Verdict.HEALTHY, Verdict.DOWN, Verdict.DOWN, Verdict.DOWN, Verdict.DOWN);
        DcHealth west = after.getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DOWN);
        assertThat(west.reasons()).containsExactly("its agents are silent: agent-west-1 last heard 8.0 s ago",
                "unreachable from every outside observer: agents of east (3 of 3 targets)");
        assertThat(after.getLast().dc("east").verdict()).isEqualTo(Verdict.HEALTHY);
        assertThat(after.getLast().shard("s1").problems()).contains("no fresh report for s1-west");
    }

    @Test
    void replicasWaitingForPrimariesInADownDcDoNotDegradeTheDcThatTakesOver() {
        ticks(3, new Tick(FINE, FINE));
        Function<Reports.Builder, Reports.Builder> orphaned = b -> b.cannotReach("east").replicationStopped("s1-west")
                .replicationStopped("s2-west");
        List<HealthSnapshot> after = ticks(10, new Tick(null, orphaned));
        HealthSnapshot last = after.getLast();
        assertThat(last.dc("east").verdict()).isEqualTo(Verdict.DOWN);
        // Before east counted as DOWN its replicas' broken links were west's problem; once it is, they are east's.
        assertThat(after).extracting(s -> s.dc("west").verdict()).doesNotContain(Verdict.DOWN, Verdict.UNKNOWN);
        assertThat(last.dc("west").verdict()).as(last.dc("west").reasons().toString()).isEqualTo(Verdict.HEALTHY);
        assertThat(last.dc("west").reasons()).isEmpty();
        // The shard still says what is wrong with it.
        assertThat(last.shard("s1").problems()).contains("no writable primary among the reported servers (no fresh report for s1-east)",
                "s1-west replication stopped (IO thread stopped, SQL thread running): IO: error connecting to master");

        // Half-way through an emergency promotion: s2 promoted in west, s1's replica still waits for east.
        Function<Reports.Builder, Reports.Builder> promotedOne = orphaned.andThen(b -> b.writable("s2-west"));
        assertThat(ticks(4, new Tick(null, promotedOne)).getLast().dc("west").verdict()).isEqualTo(Verdict.HEALTHY);
        // With east not DOWN (never heard from, reachable from west: UNKNOWN) a stopped replica is west's problem.
        assertThat(settledWest(b -> b.replicationStopped("s1-west")).verdict()).isEqualTo(Verdict.DEGRADED);
    }

    @Test
    void aCutLinkIsNotAnOutage() {
        ticks(3, new Tick(FINE, FINE));
        List<HealthSnapshot> cut = ticks(30, new Tick(b -> b.cannotReach("west"), b -> b.cannotReach("east")));
        assertThat(cut).flatExtracting(HealthSnapshot::datacenters).extracting(DcHealth::verdict).doesNotContain(Verdict.DOWN);
        DcHealth west = cut.getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(west.reasons()).containsExactly("unreachable from agents of east only: its own agents still report");
    }

    @Test
    void silentAgentsOfAReachableDcMakeItUnknownNotDown() {
        ticks(3, new Tick(FINE, FINE));
        List<HealthSnapshot> silent = ticks(30, new Tick(FINE, null));
        assertThat(silent).extracting(s -> s.dc("west").verdict()).doesNotContain(Verdict.DOWN);
        assertThat(silent.getLast().dc("west").verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(silent.getLast().dc("west").reasons()).containsExactly(
                "its agents are silent: agent-west-1 last heard 30.0 s ago", "reachable from agents of east");
    }

    @Test
    void withoutAnyObserverASilentDcIsUnknown() {
        ticks(3, new Tick(FINE, FINE));
        List<HealthSnapshot> silent = ticks(10, new Tick(null, null));
        assertThat(silent).flatExtracting(HealthSnapshot::datacenters).extracting(DcHealth::verdict).doesNotContain(Verdict.DOWN);
        assertThat(silent.getLast().dc("west").reasons()).contains("no agent of another DC and no coordinator outside it reports on it");
    }

    @Test
    void withThreeDcsOneObserverAloneCannotCallItDown() {
        Topology three = Reports.topology("east", "west", "north");
        HealthView v = new HealthView(three, HealthPolicy.defaults());
        Instant t = T0;
        long seq = 0;
        for (int i = 0; i < 10; i++, t = t.plusSeconds(1)) {
            v.record(new Reports.Builder(three, "agent-east-1", "east").cannotReach("west").build(++seq, t), t);
            v.record(new Reports.Builder(three, "agent-north-1", "north").build(++seq, t), t);
            assertThat(v.evaluate(t).dc("west").verdict()).isNotEqualTo(Verdict.DOWN);
        }
        assertThat(v.latest().dc("west").verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(v.latest().dc("west").reasons()).contains("unreachable from agents of east only; reachable from agents of north");

        for (int i = 0; i < 3; i++, t = t.plusSeconds(1)) {
            v.record(new Reports.Builder(three, "agent-east-1", "east").cannotReach("west").build(++seq, t), t);
            v.record(new Reports.Builder(three, "agent-north-1", "north").cannotReach("west").build(++seq, t), t);
            v.evaluate(t);
        }
        assertThat(v.latest().dc("west").verdict()).as("every other DC agrees").isEqualTo(Verdict.DOWN);
        assertThat(v.latest().dc("west").reasons()).contains(
                "unreachable from every outside observer: agents of east (3 of 3 targets), agents of north (3 of 3 targets)");
    }

    @Test
    void aPartlyUnreachableDcIsDegradedNamingTheTargets() {
        DcHealth west = ticks(4, new Tick(b -> b.cannotReachTarget("mariadb s2-west"), FINE)).getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(west.reasons()).containsExactly(
                "from agents of east, 1 of 3 targets unreachable: mariadb s2-west at 127.0.2.1:3302: Connection refused");
    }

    @Test
    void aFlappingAgentCannotFlipItsDcBackAndForth() {
        ticks(3, new Tick(FINE, FINE));
        List<HealthSnapshot> flapping = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            flapping.add(tick(new Tick(FINE, i % 2 == 0 ? b -> b.serverDown("s1-west") : FINE)));
        }
        assertThat(flapping).extracting(s -> s.dc("west").verdict()).containsOnly(Verdict.HEALTHY);
        assertThat(flapping.getLast().dc("west").since()).isEqualTo(T0.plusSeconds(1));
        assertThat(flapping.getLast().dc("west").reasons()).anySatisfy(r -> assertThat(r).startsWith("flapping: its health changed"));
        assertThat(flapping.getLast().dc("east").reasons()).isEmpty();
    }

    @Test
    void keepsTheNewestReportOfEachAgent() {
        view.record(new Reports.Builder(topology, "agent-west-1", "west").build(5, T0), T0.plusMillis(30));
        view.record(new Reports.Builder(topology, "agent-west-1", "west").serverDown("s1-west").build(4, T0), T0.plusMillis(40));
        assertThat(view.agents(T0.plusSeconds(1))).singleElement().satisfies(a -> {
            assertThat(a.lastSequence()).isEqualTo(5);
            assertThat(a.lagMs()).isEqualTo(30);
            assertThat(a.silent()).isFalse();
        });
        assertThat(view.evaluate(T0.plusSeconds(1)).shard("s1").problems()).doesNotContain("s1-west unreachable");
        assertThat(view.agents(T0.plus(Duration.ofSeconds(4)))).singleElement().satisfies(a -> assertThat(a.silent()).isTrue());
    }
}
