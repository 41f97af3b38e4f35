package dev.baton.cli;

import dev.baton.chaos.bench.footprint.Footprint;
import dev.baton.chaos.bench.footprint.FootprintReport;
import dev.baton.chaos.bench.footprint.FootprintSampler;
import dev.baton.chaos.bench.footprint.Tracked;
import dev.baton.chaos.lab.Lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a bench's own run costs the machine: every process of its lab (read from the lab's state file, so
 * processes started or restarted during the run count too), anything else it starts, and this JVM, which
 * is the load generator, from before the lab comes up to the report.
 */
final class RunFootprint {
    private final FootprintSampler sampler;
    private final List<Tracked> extra = new CopyOnWriteArrayList<>();

    private RunFootprint(Path labDir) {
        this.sampler = FootprintSampler.startCountingThisJvmFromItsStart(() -> {
            List<Tracked> all = new ArrayList<>(FootprintBench.tracked(Lab.recordedProcesses(labDir)));
            all.addAll(extra);
            return all;
        }, "baton CLI (load generator)");
    }

    static RunFootprint start(Path labDir) {
        return new RunFootprint(labDir);
    }

    /** A process of the run that is not the lab's, e.g. the ingest bench's own coordinator. */
    void track(Tracked process) {
        extra.add(process);
    }

    /** Stops measuring and adds the footprint to {@code dir}'s report.json and report.md; returns the Markdown added. */
    String appendTo(Path dir) {
        Footprint footprint = sampler.stop();
        return FootprintReport.append(dir, footprint);
    }
}
