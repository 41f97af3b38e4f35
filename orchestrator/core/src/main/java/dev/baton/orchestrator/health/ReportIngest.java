package dev.baton.orchestrator.health;

import dev.baton.orchestrator.config.AgentAccount;
import dev.baton.orchestrator.health.IngestResult.Accepted;
import dev.baton.orchestrator.health.IngestResult.Code;
import dev.baton.orchestrator.health.IngestResult.Rejected;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Topology;
import dev.baton.wire.health.HealthReport;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The gate in front of the {@link HealthView}: a report is recorded only when the authenticated
 * agent sent it for its own DC, it is newer than the last accepted one, and it is timely.
 * Thread-safe; the sequence check and the recording are one step, so two copies of a report
 * racing in cannot both pass.
 */
public final class ReportIngest {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(2);

    private final AgentTokens agents;
    private final Set<String> datacenters;
    private final HealthView view;
    private final Duration maxAge;
    private final Duration maxSkew;
    private final Map<String, Long> lastSequence = new HashMap<>();

    public ReportIngest(Topology topology, AgentTokens agents, HealthView view, Duration maxAge, Duration maxSkew) {
        this.datacenters = topology.datacenters().stream().map(Datacenter::name).collect(Collectors.toUnmodifiableSet());
        for (AgentAccount agent : agents.agents()) {
            if (!datacenters.contains(agent.dc())) {
                throw new IllegalArgumentException("agent " + agent.id() + " is registered for unknown DC " + agent.dc()
                        + "; the topology has " + topology.datacenterNames());
            }
        }
        this.agents = agents;
        this.view = view;
        this.maxAge = maxAge;
        this.maxSkew = maxSkew;
    }

    public ReportIngest(Topology topology, AgentTokens agents, HealthView view) {
        this(topology, agents, view, DEFAULT_MAX_AGE, DEFAULT_MAX_SKEW);
    }

    /** A report body as it came over the wire, from the agent the bearer token identified. */
    public IngestResult ingestJson(String authenticatedAgentId, String json, Instant now) {
        HealthReport report;
        try {
            report = HealthReport.fromJson(json);
        } catch (IllegalArgumentException e) {
            return new Rejected(Code.MALFORMED, "report from agent " + authenticatedAgentId + ": " + e.getMessage());
        }
        return ingest(authenticatedAgentId, report, now);
    }

    public synchronized IngestResult ingest(String authenticatedAgentId, HealthReport report, Instant now) {
        AgentAccount agent = agents.agent(authenticatedAgentId).orElse(null);
        if (agent == null) return new Rejected(Code.UNKNOWN_AGENT, "agent " + authenticatedAgentId + " is not registered");
        if (!report.agentId().equals(agent.id())) {
            return new Rejected(Code.AGENT_MISMATCH, "report names agent " + report.agentId() + " but the token is agent "
                    + agent.id() + "'s");
        }
        if (!datacenters.contains(report.dc())) {
            return new Rejected(Code.UNKNOWN_DC, "agent " + agent.id() + " reports for unknown DC " + report.dc()
                    + "; the topology has " + datacenters.stream().sorted().toList());
        }
        if (!report.dc().equals(agent.dc())) {
            return new Rejected(Code.DC_MISMATCH, "agent " + agent.id() + " is registered for DC " + agent.dc()
                    + " but reports for " + report.dc());
        }
        Long last = lastSequence.get(agent.id());
        if (last != null && report.sequence() <= last) {
            return new Rejected(Code.REPLAYED, "agent " + agent.id() + ": replayed sequence " + report.sequence()
                    + ", last accepted " + last);
        }
        Duration age = Duration.between(report.sentAt(), now);
        if (age.compareTo(maxAge) > 0) {
            return new Rejected(Code.STALE, "agent " + agent.id() + ": report " + report.sequence() + " was sent "
                    + Assessment.seconds(age) + " ago, at " + report.sentAt() + "; reports older than "
                    + Assessment.seconds(maxAge) + " are refused");
        }
        if (age.negated().compareTo(maxSkew) > 0) {
            return new Rejected(Code.FROM_THE_FUTURE, "agent " + agent.id() + ": report " + report.sequence() + " is dated "
                    + report.sentAt() + ", " + Assessment.seconds(age.negated()) + " ahead of this coordinator's clock (at most "
                    + Assessment.seconds(maxSkew) + " allowed): check the agent's clock");
        }
        lastSequence.put(agent.id(), report.sequence());
        view.record(report, now);
        return new Accepted(agent.id(), report.sequence());
    }
}
