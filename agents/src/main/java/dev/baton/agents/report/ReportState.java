package dev.baton.agents.report;

import dev.baton.wire.health.HaproxyProbe;
import dev.baton.wire.health.HealthReport;
import dev.baton.wire.health.HttpProbe;
import dev.baton.wire.health.MariaDbProbe;
import dev.baton.wire.health.Probe;
import dev.baton.wire.health.ReachabilityProbe;

import java.util.List;

/**
 * What a report says about the DC, without what changes every round although nothing happened:
 * each probe's latency, and which of another DC's servers a reachability probe connected to this
 * round (it takes them in turn). Two reports with equal states tell a coordinator the same thing.
 * A failed probe keeps its target and error, so any failure counts as a change.
 */
public record ReportState(String agentId, String dc, List<Probe> probes) {
    public static ReportState of(HealthReport report) {
        return new ReportState(report.agentId(), report.dc(), report.probes().stream().map(ReportState::untimed).toList());
    }

    private static Probe untimed(Probe probe) {
        return switch (probe) {
            case MariaDbProbe m -> new MariaDbProbe(m.serverId(), m.endpoint(), m.reachable(), m.readOnly(), m.replicating(),
                    m.ioRunning(), m.sqlRunning(), m.lagSeconds(), m.gtidBinlogPos(), m.gtidCurrentPos(), 0, m.error());
            case HaproxyProbe h -> new HaproxyProbe(h.dc(), h.runtime(), h.reachable(), h.servers(), 0, h.error());
            case HttpProbe h -> new HttpProbe(h.name(), h.url(), h.status(), 0, h.error());
            case ReachabilityProbe r when r.reachable() -> new ReachabilityProbe(r.fromDc(), r.toDc(), "", null, true, 0, null);
            case ReachabilityProbe r -> new ReachabilityProbe(r.fromDc(), r.toDc(), r.targetName(), r.target(), false, 0, r.error());
        };
    }
}
