package dev.baton.cli;

import dev.baton.chaos.bench.WarmUps;
import dev.baton.chaos.lab.Lab;
import dev.baton.chaos.lab.LabSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: bring up the lab with a coordinator and an agent per DC, evacuate east to west and fail back "
                + "under checkout load through the coordinator API, print the reports, leave everything running.")
final class DemoCommand implements Callable<Integer> {
    @Mixin LabOptions lab;
    @Option(names = "--shards", defaultValue = "8", description = "Shards (default: ${DEFAULT-VALUE}).") int shards;
    @Option(names = "--rate", defaultValue = "200", description = "Checkouts per second (default: ${DEFAULT-VALUE}).") int rate;
    // Every JVM of the lab (coordinators, agents, checkout apps) has just started and compiles for a while: the load ramps
    // up over RAMP_UP (at full rate at once they fell behind and did not catch up), then the demo measures once latency is steady.
    @Option(names = "--warmup-seconds", defaultValue = "60", description = "Longest warm-up before the evacuation: load to every DC in "
            + "turn while the lab's freshly started JVMs warm up, until checkout latency is steady, after a 10 s ramp-up "
            + "(default: ${DEFAULT-VALUE}).") long warmupSeconds;
    private static final Duration RAMP_UP = Duration.ofSeconds(10);

    @Override
    public Integer call() throws Exception {
        RunFootprint footprint = RunFootprint.start(lab.dir());
        Lab running = Lab.up(new LabSpec(lab.dir(), List.of("east", "west"), shards, 0, true));
        System.out.println(TopologyTable.render(running.topology()));
        System.out.println("starting a coordinator and an agent per DC...");
        LabServices services = LabServices.start(running, Duration.ofSeconds(120));
        System.out.println(running.status().table());
        var options = new EvacuationBench.Options("east", "west", rate, 1, 0, Duration.ofSeconds(1), Duration.ofSeconds(warmupSeconds), RAMP_UP);
        EvacuationBench.Report report = new EvacuationBench(running.topology(), services, options, System.out).run();
        report.write(lab.dir().resolve("report"));
        String footprintTable = footprint.appendTo(lab.dir().resolve("report"));
        report.evacuations().forEach(e -> System.out.println(e.report().text()));
        System.out.println("warm-up: " + WarmUps.describe(report.warmedUp(), RAMP_UP));
        report.evacuations().stream().filter(e -> e.refused() + e.catchingUp() > 0).forEach(e -> System.out.printf(
                "failover %s was asked again: %d time(s) for a target not HEALTHY, %d time(s) for candidates catching up%n", e.id(),
                e.refused(), e.catchingUp()));
        var c = report.checkouts();
        System.out.printf("checkouts: %d attempted, %d acknowledged, %d failed, %d lost, %d duplicated; latency p50 %.1f / p99 %.1f / max %.1f ms%n",
                c.attempted(), c.acknowledged(), c.failed(), c.lost(), c.duplicated(), report.latencyMs().p50Ms(),
                report.latencyMs().p99Ms(), report.latencyMs().maxMs());
        c.failureReasons().forEach((why, n) -> System.out.println("  failed: " + n + " x " + why));
        c.auditProblems().forEach(p -> System.out.println("  audit: " + p));
        System.out.println(footprintTable);
        System.out.println("targets:");
        report.targets().forEach(t -> System.out.printf("  %-4s %s: %s (wanted %s)%n", t.met() ? "ok" : "MISS", t.name(), t.measured(), t.target()));
        System.out.println("report: " + lab.dir().resolve("report/report.md"));
        System.out.println("Everything is still running.");
        // The leader's console: a follower's shows everything too, but sends a failover to the leader's address.
        String leader = services.api("viewer").get("/api/v1/topology").body().path("leader").asText("");
        String leaderUrl = services.coordinators().stream().filter(p -> p.id().equals(leader)).map(p -> p.url()).findFirst()
                .orElse(services.urls().getFirst());
        System.out.println("  web console: " + leaderUrl + "/console/   demo login: sre / " + services.consoleLogins().get("sre")
                + "   (an operator; admin and viewer logins in " + services.consoleLoginsFile() + ")");
        services.urls().forEach(url -> System.out.println("  coordinator API: " + url + "/api/v1   (OpenAPI: " + url + "/api/v1/openapi.json)"));
        System.out.println("  API tokens (user=token; admin, sre, viewer): " + services.tokenFile());
        System.out.println("  e.g. ./baton failover --from east --to west --dry-run --dir " + lab.dir());
        System.out.println("  runbooks: ./baton runbook list --api " + services.urls().getFirst() + " --dir " + lab.dir()
                + "   plan one: ./baton runbook plan emergency-failover --from east --to west --dir " + lab.dir());
        running.standIns().ifPresent(s -> System.out.println("  what Slack and PagerDuty would receive: " + s.notificationsFile()
                + "   (Consul stand-in: " + s.consulUrl() + ")"));
        System.out.println("  status: ./baton lab status --dir " + lab.dir() + "   stop it all: ./baton lab down --dir " + lab.dir());
        // The exit code says whether every printed target held: checkouts, evacuations, and their wall time.
        return report.ok() ? 0 : 1;
    }
}
