package dev.baton.orchestrator.health;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.health.IngestResult.Accepted;
import dev.baton.orchestrator.health.IngestResult.Code;
import dev.baton.orchestrator.health.IngestResult.Rejected;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportIngestTest {
    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private static final String EAST_TOKEN = "east-secret-0123456789";
    private final Topology topology = Reports.topology("east", "west");
    private final AgentTokens tokens = new AgentTokens(List.of(
            new AgentAccount("agent-east-1", "east", TokenHash.of(EAST_TOKEN)),
            new AgentAccount("agent-west-1", "west", TokenHash.of("west-secret"))));
    private final HealthView view = new HealthView(topology, HealthPolicy.defaults());
    private final ReportIngest ingest = new ReportIngest(topology, tokens, view);

    private HealthReport east(long sequence, Instant sentAt) {
        return new Reports.Builder(topology, "agent-east-1", "east").build(sequence, sentAt);
    }

    private static Rejected rejected(IngestResult result) {
        assertThat(result).isInstanceOf(Rejected.class);
        return (Rejected) result;
    }

    @Test
    void aValidReportIsRecorded() {
        assertThat(ingest.ingest("agent-east-1", east(7, NOW.minusMillis(20)), NOW)).isEqualTo(new Accepted("agent-east-1", 7));
        assertThat(view.agents(NOW)).singleElement().satisfies(a -> {
            assertThat(a.lastSequence()).isEqualTo(7);
            assertThat(a.lagMs()).isEqualTo(20);
        });
        assertThat(view.evaluate(NOW).dc("east").verdict()).isEqualTo(Verdict.HEALTHY);
    }

    @Test
    void aReplayedOrOlderSequenceIsRefused() {
        ingest.ingest("agent-east-1", east(7, NOW), NOW);
        Rejected again = rejected(ingest.ingest("agent-east-1", east(7, NOW), NOW.plusMillis(5)));
        assertThat(again.code()).isEqualTo(Code.REPLAYED);
        assertThat(again.message()).isEqualTo("agent agent-east-1: replayed sequence 7, last accepted 7");
        assertThat(rejected(ingest.ingest("agent-east-1", east(6, NOW), NOW)).message()).contains("replayed sequence 6, last accepted 7");
        assertThat(ingest.ingest("agent-east-1", east(8, NOW), NOW)).isInstanceOf(Accepted.class);
    }

    @Test
    void aReportForAnotherDcOrAnUnknownDcIsRefused() {
        HealthReport forWest = new Reports.Builder(topology, "agent-west-1", "west").build(1, NOW);
        HealthReport posingAsWest = new HealthReport("agent-east-1", "west", 1, NOW, forWest.probes());
        Rejected foreign = rejected(ingest.ingest("agent-east-1", posingAsWest, NOW));
        assertThat(foreign.code()).isEqualTo(Code.DC_MISMATCH);
        assertThat(foreign.message()).isEqualTo("agent agent-east-1 is registered for DC east but reports for west");

        Rejected unknown = rejected(ingest.ingest("agent-east-1", new HealthReport("agent-east-1", "north", 2, NOW, List.of()), NOW));
        assertThat(unknown.code()).isEqualTo(Code.UNKNOWN_DC);
        assertThat(unknown.message()).isEqualTo("agent agent-east-1 reports for unknown DC north; the topology has [east, west]");
        assertThat(view.agents(NOW)).isEmpty();
    }

    @Test
    void aReportMustComeFromTheAgentItNames() {
        Rejected other = rejected(ingest.ingest("agent-west-1", east(1, NOW), NOW));
        assertThat(other.code()).isEqualTo(Code.AGENT_MISMATCH);
        assertThat(other.message()).isEqualTo("report names agent agent-east-1 but the token is agent agent-west-1's");
        assertThat(rejected(ingest.ingest("agent-x", east(1, NOW), NOW)).code()).isEqualTo(Code.UNKNOWN_AGENT);
    }

    @Test
    void staleAndFutureReportsAreRefusedAndLeaveTheSequenceAlone() {
        Rejected stale = rejected(ingest.ingest("agent-east-1", east(50, NOW.minusSeconds(11)), NOW));
        assertThat(stale.code()).isEqualTo(Code.STALE);
        assertThat(stale.message()).isEqualTo("agent agent-east-1: report 50 was sent 11.0 s ago, at 2026-01-01T09:59:49Z; "
                + "reports older than 10.0 s are refused");
        Rejected future = rejected(ingest.ingest("agent-east-1", east(51, NOW.plusSeconds(3)), NOW));
        assertThat(future.code()).isEqualTo(Code.FROM_THE_FUTURE);
        assertThat(future.message()).contains("report 51", "3.0 s ahead of this coordinator's clock", "check the agent's clock");

        assertThat(ingest.ingest("agent-east-1", east(10, NOW.minusSeconds(9)), NOW)).as("refused ones set no sequence")
                .isInstanceOf(Accepted.class);
        assertThat(ingest.ingest("agent-east-1", east(11, NOW.plusSeconds(1)), NOW)).as("within the skew").isInstanceOf(Accepted.class);
    }

    @Test
    void malformedJsonIsRefusedNamingTheProblem() {
        Rejected garbage = rejected(ingest.ingestJson("agent-east-1", "{\"agentId\":", NOW));
        assertThat(garbage.code()).isEqualTo(Code.MALFORMED);
        assertThat(garbage.message()).startsWith("report from agent agent-east-1: malformed health report");
        String extra = east(1, NOW).toJson().replaceFirst("\\{", "{\"color\":\"red\",");
        assertThat(rejected(ingest.ingestJson("agent-east-1", extra, NOW)).message()).contains("color");
        assertThat(ingest.ingestJson("agent-east-1", east(1, NOW).toJson(), NOW)).isInstanceOf(Accepted.class);
    }

    @Test
    void anAgentRegisteredForAnUnknownDcIsAConfigurationError() {
        AgentTokens north = new AgentTokens(List.of(new AgentAccount("agent-n", "north", TokenHash.of("x"))));
        assertThatThrownBy(() -> new ReportIngest(topology, north, view))
                .hasMessage("agent agent-n is registered for unknown DC north; the topology has [east, west]");
    }

    @Test
    void tokensAreCheckedAgainstTheirHashes() {
        assertThat(tokens.authenticate(EAST_TOKEN)).map(AgentAccount::id).contains("agent-east-1");
        assertThat(tokens.authenticate("west-secret")).map(AgentAccount::id).contains("agent-west-1");
        assertThat(tokens.authenticate(EAST_TOKEN + "x")).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
        assertThat(TokenHash.of("abc").hex()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThatThrownBy(() -> new AgentTokens(List.of(tokens.agents().getFirst(), tokens.agents().getFirst())))
                .hasMessage("agent agent-east-1 is registered twice");
        assertThatThrownBy(() -> new TokenHash(EAST_TOKEN)).hasMessageContaining("64 lower-case hex");
    }
}
