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

    /** The lab's processes as last read, and the state file's modification time then: read again only when it changed. */
    private List<Tracked> labProcesses = List.of();
    private long readAt = Long.MIN_VALUE;

    private RunFootprint(Path labDir) {
        this.sampler = FootprintSampler.startCountingThisJvmFromItsStart(() -> {
            List<Tracked> all = new ArrayList<>(labProcesses(labDir));
            all.addAll(extra);
            return all;
        }, "baton CLI (load generator)");
    }

    private synchronized List<Tracked> labProcesses(Path labDir) {
        long modified = Lab.stateModified(labDir);
        if (modified != readAt) {
            labProcesses = FootprintBench.tracked(Lab.recordedProcesses(labDir));
            readAt = modified;
        }
        return labProcesses;
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
