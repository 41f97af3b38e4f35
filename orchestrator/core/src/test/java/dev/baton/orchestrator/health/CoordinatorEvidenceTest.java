package dev.baton.orchestrator.health;

import dev.baton.wire.Topology;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The DOWN rule with coordinators' observations next to agents' reports: who must agree, and who may not count. */
class CoordinatorEvidenceTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Function<Reports.Builder, Reports.Builder> FINE = b -> b;
    private final Topology topology = Reports.topology("east", "west", "north");
    private final HealthView view = new HealthView(topology, HealthPolicy.defaults());
    private Instant now = T0;
    private long sequence;

    /**
     * One second passes: each agent of east, west and north reports (null: silent), then each
     * coordinator in {@code coordinators} publishes what it sees, then the view evaluates.
     */
    /** Agents of east, west and north in this order; null for a silent one. */
    @SafeVarargs
    private static List<Function<Reports.Builder, Reports.Builder>> agents(Function<Reports.Builder, Reports.Builder>... each) {
        return Arrays.asList(each);
    }

    private HealthSnapshot tick(List<Function<Reports.Builder, Reports.Builder>> agents, List<Coordinator> coordinators) {
        now = now.plusSeconds(1);
        List<String> dcs = topology.datacenterNames();
        for (int i = 0; i < dcs.size(); i++) {
            if (agents.get(i) == null) continue;
            view.record(agents.get(i).apply(new Reports.Builder(topology, "agent-" + dcs.get(i) + "-1", dcs.get(i)))
                    .build(++sequence, now), now);
        }
        coordinators.forEach(c -> view.observe(Reports.observation(topology, c.id(), c.dc(), now, c.cannotReach()), now));
        return view.evaluate(now);
    }

    private List<HealthSnapshot> ticks(int n, List<Function<Reports.Builder, Reports.Builder>> agents, List<Coordinator> coordinators) {
        List<HealthSnapshot> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(tick(agents, coordinators));
        return all;
    }

    private record Coordinator(String id, String dc, String... cannotReach) {
    }

    private static final List<Coordinator> ALL_SEE_ALL = List.of(new Coordinator("c-east", "east"),
            new Coordinator("c-west", "west"), new Coordinator("c-north", "north"));

    private void settleHealthy() {
        HealthSnapshot s = ticks(3, agents(FINE, FINE, FINE), ALL_SEE_ALL).getLast();
        assertThat(s.datacenters()).extracting(DcHealth::verdict).containsOnly(Verdict.HEALTHY);
    }

    @Test
    void silentAgentsAndEveryOutsideObserverUnableToConnectIsDown() {
        settleHealthy();
        List<Coordinator> westDark = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-west", "west", "west"),
                new Coordinator("c-north", "north", "west"));
        DcHealth west = ticks(8, agents(b -> b.cannotReach("west"), null, b -> b.cannotReach("west")), westDark)
                .getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DOWN);
        assertThat(west.reasons()).containsExactly("its agents are silent: agent-west-1 last heard 8.0 s ago",
                "unreachable from every outside observer: agents of east (3 of 3 targets), agents of north (3 of 3 targets), "
                        + "coordinator c-east in east (3 of 3 targets), coordinator c-north in north (3 of 3 targets)");
        assertThat(west.observedBy()).extracting(CoordinatorEvidence::coordinator, CoordinatorEvidence::outside,
                CoordinatorEvidence::reachable, CoordinatorEvidence::fresh).containsExactly(
                tuple("c-east", true, false, true),
                tuple("c-north", true, false, true),
                tuple("c-west", false, false, true));
        assertThat(west.observedBy().getFirst().failures()).containsExactly(
                "haproxy west at 127.0.2.1:9000: Connection refused", "mariadb s1-west at 127.0.2.1:3301: Connection refused",
                "mariadb s2-west at 127.0.2.1:3302: Connection refused");
    }

    @Test
    void aCoordinatorThatStillConnectsKeepsItFromDownAndIsNamed() {
        settleHealthy();
        List<Coordinator> northReaches = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-north", "north"));
        List<HealthSnapshot> after = ticks(15, agents(b -> b.cannotReach("west"), null, b -> b.cannotReach("west")), northReaches);
        assertThat(after).extracting(s -> s.dc("west").verdict()).doesNotContain(Verdict.DOWN);
        DcHealth west = after.getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(west.reasons()).contains("unreachable from agents of east, agents of north, coordinator c-east in east only; "
                + "reachable from coordinator c-north in north");
    }

    @Test
    void agentsThatStillConnectKeepItFromDownWhenEveryCoordinatorCannot() {
        settleHealthy();
        List<Coordinator> noneReaches = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-north", "north", "west"));
        DcHealth west = ticks(15, agents(FINE, null, FINE), noneReaches).getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(west.reasons()).contains("unreachable from coordinator c-east in east, coordinator c-north in north only; "
                + "reachable from agents of east, agents of north");
    }

    @Test
    void aDcWhoseAgentsReportButNoCoordinatorReachesIsDegraded() {
        settleHealthy();
        List<Coordinator> eastCannot = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-north", "north"));
        DcHealth west = ticks(4, agents(FINE, FINE, FINE), eastCannot).getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(west.reasons()).containsExactly("unreachable from coordinator c-east in east only: its own agents still report");
    }

    @Test
    void aStaleObservationDoesNotCountAndTheReasonSaysSo() {
        settleHealthy();
        // c-north stops publishing while it still reached west; the agents and c-east then lose west.
        List<Coordinator> northGone = List.of(new Coordinator("c-east", "east", "west"));
        List<HealthSnapshot> after = ticks(10, agents(b -> b.cannotReach("west"), null, b -> b.cannotReach("west")), northGone);
        assertThat(after.subList(0, 4)).extracting(s -> s.dc("west").verdict()).doesNotContain(Verdict.DOWN);
        assertThat(after.get(3).dc("west").reasons()).as("c-north's 4 s old observation still counts")
                .anySatisfy(r -> assertThat(r).contains("; reachable from coordinator c-north in north"));
        DcHealth west = after.getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.DOWN);
        assertThat(west.reasons()).contains("ignored coordinator c-north in north: its last observation is 10.0 s old (stale after 5.0 s)",
                "unreachable from every outside observer: agents of east (3 of 3 targets), agents of north (3 of 3 targets), "
                        + "coordinator c-east in east (3 of 3 targets)");
        assertThat(west.observedBy()).filteredOn(e -> e.coordinator().equals("c-north")).singleElement().satisfies(e -> {
            assertThat(e.fresh()).isFalse();
            assertThat(e.ageMs()).isEqualTo(10_000);
        });
    }

    @Test
    void aCoordinatorInsideTheDcIsNoOutsideEvidence() {
        settleHealthy();
        // Only west's own coordinator is left, and it cannot connect to west: still nobody outside says anything.
        DcHealth west = ticks(10, agents(null, null, null), List.of(new Coordinator("c-west", "west", "west"))).getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(west.reasons()).contains("no agent of another DC and no coordinator outside it reports on it");
    }

    /**
     * Two DCs and the link between them cut: west's agents' reports no longer reach this
     * coordinator, and nothing in east connects to west. Only west's own coordinator, through
     * ZooKeeper, shows that west lives.
     */
    @Test
    void withTwoDcsACutLinkIsNotAnOutageWhileTheCoordinatorInsideStillConnects() {
        settleHealthy();
        List<Coordinator> cut = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-west", "west", "east"));
        List<HealthSnapshot> after = ticks(15, agents(b -> b.cannotReach("west"), null, null), cut);
        assertThat(after).extracting(s -> s.dc("west").verdict()).doesNotContain(Verdict.DOWN);
        DcHealth west = after.getLast().dc("west");
        assertThat(west.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(west.reasons()).containsSubsequence(
                "unreachable from every outside observer: agents of east (3 of 3 targets), coordinator c-east in east (3 of 3 targets)",
                "but coordinator c-west in west still connects to it from inside: cut off, not down");
    }

    @Test
    void aCutLinkBetweenTwoDcsIsNotAnOutage() {
        settleHealthy();
        List<Coordinator> cut = List.of(new Coordinator("c-east", "east", "west"), new Coordinator("c-west", "west", "east"),
                new Coordinator("c-north", "north"));
        List<HealthSnapshot> after = ticks(30, agents(b -> b.cannotReach("west"), b -> b.cannotReach("east"), FINE), cut);
        assertThat(after).flatExtracting(HealthSnapshot::datacenters).extracting(DcHealth::verdict).doesNotContain(Verdict.DOWN);
        assertThat(after.getLast().dc("west").verdict()).isEqualTo(Verdict.DEGRADED);
        assertThat(after.getLast().dc("west").reasons()).containsExactly(
                "unreachable from agents of east, coordinator c-east in east only: its own agents still report");
        assertThat(after.getLast().dc("north").verdict()).isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void aCoordinatorThatLeftIsForgotten() {
        settleHealthy();
        view.forget("c-north");
        assertThat(view.evaluate(now).dc("west").observedBy()).extracting(CoordinatorEvidence::coordinator)
                .containsExactly("c-east", "c-west");
    }
}
