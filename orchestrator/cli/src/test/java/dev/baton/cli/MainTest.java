package dev.baton.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandWithADescription() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("demo", "lab", "switchover", "bench")
                .contains("The main job")
                .contains("Move a shard's primary");
    }

    @Test
    void everyDefaultKillStepOfTheLeaderKillBenchIsOneItKnows() {
        String steps = Main.commandLine().getSubcommands().get("bench").getSubcommands().get("leader-kill").getCommandSpec()
                .findOption("--steps").defaultValue();
        assertThat(steps.split(",")).containsExactlyElementsOf(LeaderKillBench.STEPS);
    }

    @Test
    void unknownCommandIsRefusedByName() {
        Run r = run("evacuate-everything");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("evacuate-everything");
    }

    @Test
    void switchoverNeedsATarget() {
        Run r = run("switchover", "--shard", "s1");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--to");
    }

    @Test
    void switchoverWithoutALabSaysWhereItLooked() {
        Run r = run("switchover", "--all", "--to", "west", "--dir", "/nonexistent/lab");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("/nonexistent/lab/topology.json");
    }
}
