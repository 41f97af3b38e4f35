package dev.baton.runbooks;

import dev.baton.runbooks.check.Problem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The bad-input corpus: each a clear error naming where and what, no crash, no hang. */
class BrokenRunbooksTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            name: small
            steps:
              - id: precheck
                kind: precheck
                conditions:
                  - dc-healthy: ${to}
              - id: move
                kind: switch-shards
                pointOfNoReturn: true
            """;

    /**
     * A bound on every check: no input may make the checker hang or blow up (aliases, nesting). Ten seconds is far
     * beyond any real check (milliseconds once the classes are loaded, see {@link #loadTheCheckersClasses}), so a loaded
     * 2-core machine does not miss it, while a check that hangs still fails.
     */
    private static final Duration BOUND = Duration.ofSeconds(10);

    /** Class loading and the YAML library's first use, out of every test's bound. */
    @BeforeAll
    static void loadTheCheckersClasses() {
        Runbooks.check("warm-up.yaml", VALID);
    }

    /** Checks within {@link #BOUND}, and returns the problems (none when valid). */
    private static List<Problem> problems(String yaml) {
        return assertTimeoutPreemptively(BOUND, () -> Runbooks.check("rb.yaml", yaml)).problems();
    }

    private static String only(String yaml) {
        List<Problem> problems = problems(yaml);
        assertThat(problems).as(problems.toString()).hasSize(1);
        return problems.getFirst().message();
    }

    @Test
    void theBaselineIsValid() {
        assertThat(problems(VALID)).isEmpty();
    }

    @Test
    void aFileOverTheLimitIsRefusedFromItsSizeUnread() throws IOException {
        // Sparse, 4 GiB: no disk used, and a checker that read it before looking at its size could not (no byte array
        // is that large), so "unread" is shown by the answer, not by how long it took.
        Path big = dir.resolve("big.yaml");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(4L << 30);
        }
        Checked checked = assertTimeoutPreemptively(BOUND, () -> Runbooks.check(big));
        assertThat(checked.problems()).singleElement().satisfies(p -> {
            assertThat(p.found()).isEqualTo("a file of 4294967296 bytes");
            assertThat(p.expected()).isEqualTo("at most 1048576 bytes (1 MiB)");
        });
    }

    @Test
    void aTenMegabyteTextIsRefusedBeforeParsing() {
        assertThat(only(VALID + "#".repeat(10 << 20))).contains("rb.yaml:1:1: found a document of 10485").contains("at most 1048576 characters");
    }

    @Test
    void billionLaughsAnchorsStopAtTheAliasLimit() {
        StringBuilder yaml = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            String prev = "*a" + (i - 1);
            yaml.append("a").append(i).append(": &a").append(i).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        assertThat(only(yaml.toString())).contains("rb.yaml:1:1:").contains("YAML the loader refuses").contains("aliases");
    }

    @Test
    void deepNestingStopsAtTheDepthLimit() {
        assertThat(only("name: " + "[".repeat(5000) + "]".repeat(5000))).contains("YAML the loader refuses").contains("levels of nesting");
    }

    @Test
    void aRecursiveAliasIsAWrongTypeNotALoop() {
        String yaml = VALID + "  - &s {id: n, kind: notify, message: hi, channels: *s}\n";
        assertThat(only(yaml)).contains("steps[2].channels").contains("found a mapping, expected a list of texts");
    }

    @Test
    void truncatedYamlIsReportedWhereItEnds() {
        String truncated = VALID.substring(0, VALID.indexOf("conditions:")) + "conditions: [ {dc-healthy: ${to}\n";
        assertThat(only(truncated)).matches("rb\\.yaml:\\d+:\\d+: found malformed YAML \\(.*").contains("expected well-formed YAML");
    }

    @Test
    void wrongTypesNameWhatWasFoundAndWhatIsExpected() {
        List<String> messages = problems("""
                name: small
                steps:
                  - id: move
                    kind: switch-shards
                    concurrency: four
                    pointOfNoReturn: maybe
                    timeout: [10s]
                    shards: {s1: yes}
                """).stream().map(Problem::message).toList();
        assertThat(messages).containsExactly(
                "rb.yaml:5:18: steps[0].concurrency: found 'four', expected a whole number from 1 to 64",
                "rb.yaml:6:22: steps[0].pointOfNoReturn: found 'maybe', expected true or false",
                "rb.yaml:7:14: steps[0].timeout: found a list, expected a duration such as 500ms, 10s, 2m, 1h or PT10S",
                "rb.yaml:8:13: steps[0].shards: found a mapping, expected a list of texts");
    }

    @Test
    void anUnknownStepKindListsTheKnownOnes() {
        assertThat(only(VALID + "  - {id: boom, kind: drain-everything}\n"))
                .startsWith("rb.yaml:10:22: steps[2].kind: found kind 'drain-everything', expected one of [precheck, approval, drain-dns");
    }

    @Test
    void anUnknownDnsWayIsNamedWithTheKnownOnes() {
        assertThat(only(VALID + "  - {id: dns, kind: drain-dns, via: nsupdate}\n"))
                .isEqualTo("rb.yaml:10:37: steps[2].via: found 'nsupdate', expected one of [api, rfc2136]");
        assertThat(only(VALID + "  - {id: dns, kind: drain-dns, via: [rfc2136]}\n"))
                .isEqualTo("rb.yaml:10:37: steps[2].via: found a list, expected one of [api, rfc2136]");
    }

    @Test
    void anUnknownFieldIsReportedAtItsKey() {
        assertThat(only(VALID.replace("    pointOfNoReturn: true", "    pointOfNoReturn: true\n    concurency: 2")))
                .startsWith("rb.yaml:10:5: steps[1].concurency: found unknown field 'concurency', expected one of [id, kind");
    }

    @Test
    void duplicateStepIdsPointAtTheFirst() {
        assertThat(only(VALID + "  - {id: precheck, kind: notify, message: hi}\n"))
                .isEqualTo("rb.yaml:10:10: steps[2].id: found 'precheck' again (first at steps[0], line 3), expected a step id used once in the runbook");
    }

    @Test
    void aMissingRequiredParameterIsNamed() {
        assertThat(only(VALID + "  - {id: tell, kind: notify}\n"))
                .isEqualTo("rb.yaml:10:5: steps[2].message: found no message, expected a text");
    }

    @Test
    void aRollbackAfterThePointOfNoReturnIsRefused() {
        assertThat(only(VALID + "  - {id: verify, kind: verify-checkout, onFailure: rollback}\n"))
                .contains("steps[2].onFailure: found onFailure: rollback after the point of no return (steps[1] move)")
                .contains("expected stop or continue");
    }

    @Test
    void anUnreachableRollbackIsRefused() {
        String yaml = VALID + """
                rollback:
                  - {id: restore-dns, kind: drain-dns, to: "${from}"}
                """;
        assertThat(only(yaml)).isEqualTo("rb.yaml:11:5: rollback[0]: found rollback step 'restore-dns' that no step names as its undo "
                + "(unreachable), expected every rollback step to be the undo of a step before the point of no return");
    }

    @Test
    void anUndoThatNoFailureWouldRunIsUnreachable() {
        String yaml = VALID.replace("      - dc-healthy: ${to}", "      - dc-healthy: ${to}\n    undo: restore-dns") + """
                rollback:
                  - {id: restore-dns, kind: drain-dns, to: "${from}"}
                """;
        assertThat(only(yaml)).contains("steps[0].undo: found an undo that can never run");
    }

    @Test
    void undoReferencesCannotFormACycle() {
        String yaml = VALID.replace("    pointOfNoReturn: true", "    pointOfNoReturn: true\n    onFailure: rollback\n    undo: a") + """
                rollback:
                  - {id: a, kind: notify, message: a, undo: b}
                  - {id: b, kind: notify, message: b, undo: a}
                """;
        List<String> messages = problems(yaml).stream().map(Problem::message).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("rollback[0].undo: found an undo on a rollback step")
                .contains("free of cycles"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("rollback[1].undo"));
    }

    @Test
    void anUndoOfAnUnknownStepListsTheRollbackSteps() {
        String yaml = VALID.replace("    pointOfNoReturn: true", "    pointOfNoReturn: true\n    onFailure: rollback\n    undo: restore-dsn") + """
                rollback:
                  - {id: restore-dns, kind: drain-dns, to: "${from}"}
                """;
        assertThat(problems(yaml)).extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("steps[1].undo: found unknown step 'restore-dsn', expected the id of a step under rollback: [restore-dns]"));
    }

    @Test
    void aConsulRestoreIsOnlyTheUndoOfAConsulStepAndTakesNoValue() {
        String consul = """
                name: c
                steps:
                  - {id: kv, kind: consul, kv: {key: k, value: v}, onFailure: rollback, undo: %s}
                  - {id: dns, kind: drain-dns, onFailure: rollback, undo: %s}
                rollback:
                  - {id: kv-back, kind: consul, action: restore}
                  - {id: dns-back, kind: drain-dns, to: "${from}"}
                """;
        assertThat(problems(consul.formatted("kv-back", "dns-back"))).isEmpty();
        assertThat(problems(consul.formatted("dns-back", "kv-back"))).extracting(Problem::message).containsExactly(
                "rb.yaml:3:79: steps[0].undo: found 'dns-back', a drain-dns step, as the undo of a consul step, which only a consul step "
                        + "with action: restore undoes, expected a restore step of the same kind as this one",
                "rb.yaml:4:59: steps[1].undo: found 'kv-back', a consul restore, as the undo of a drain-dns step, expected a restore "
                        + "step of the same kind as this one");
        assertThat(only(consul.formatted("kv-back", "dns-back").replace("action: restore}", "action: restore, kv: {key: k, value: v}}")))
                .isEqualTo("rb.yaml:6:54: rollback[0].kv: found kv with action: restore, expected no kv or catalog: a restore puts back "
                        + "what the undone consul step recorded before it wrote");
        assertThat(only(consul.formatted("kv-back", "dns-back").replace("kv: {key: k, value: v}, onFailure", "action: restore, onFailure")))
                .isEqualTo("rb.yaml:3:36: steps[0].action: found action: restore in a forward step, expected kv or catalog; restore "
                        + "puts back what the undone step recorded, so it belongs in rollback");
        assertThat(only(consul.formatted("kv-back", "dns-back").replace("action: restore}", "action: undo}")))
                .isEqualTo("rb.yaml:6:41: rollback[0].action: found 'undo', expected one of [set, restore]");
    }

    @Test
    void aDrainDnsRestoreIsOnlyARollbackStepUndoingADrainDnsAndNamesNoAddress() {
        String dns = """
                name: d
                steps:
                  - {id: dns, kind: drain-dns, onFailure: rollback, undo: %s}
                  - {id: lb, kind: drain-lb, onFailure: rollback, undo: %s}
                rollback:
                  - {id: dns-back, kind: drain-dns, action: restore}
                  - {id: lb-back, kind: drain-lb, action: restore}
                """;
        assertThat(problems(dns.formatted("dns-back", "lb-back"))).isEmpty();
        assertThat(problems(dns.formatted("lb-back", "dns-back"))).extracting(Problem::message).containsExactly(
                "rb.yaml:3:59: steps[0].undo: found 'lb-back', a drain-lb restore, as the undo of a drain-dns step, expected a restore "
                        + "step of the same kind as this one",
                "rb.yaml:4:57: steps[1].undo: found 'dns-back', a drain-dns restore, as the undo of a drain-lb step, expected a restore "
                        + "step of the same kind as this one");
        assertThat(only(dns.formatted("dns-back", "lb-back").replace("kind: drain-dns, action: restore}",
                "kind: drain-dns, action: restore, to: east}")))
                .isEqualTo("rb.yaml:6:58: rollback[0].to: found to with action: restore, expected no to: a restore points the record "
                        + "the undone drain-dns step changed back at the address it found there");
        assertThat(only(dns.formatted("dns-back", "lb-back").replace("kind: drain-dns, onFailure", "kind: drain-dns, action: restore, onFailure")))
                .isEqualTo("rb.yaml:3:40: steps[0].action: found action: restore in a forward step, expected point (the default); "
                        + "restore only as a rollback step, which puts back the address the step it undoes found");
        assertThat(only(dns.formatted("dns-back", "lb-back").replace("drain-dns, action: restore}", "drain-dns, action: undo}")))
                .isEqualTo("rb.yaml:6:45: rollback[0].action: found 'undo', expected one of [point, restore]");
    }

    @Test
    void badDurationsAndUnknownVariablesAreCaught() {
        List<String> messages = problems(VALID.replace("kind: switch-shards", "kind: switch-shards\n    timeout: 10 parsecs\n    to: ${form}"))
                .stream().map(Problem::message).toList();
        assertThat(messages).containsExactly(
                "rb.yaml:9:14: steps[1].timeout: found '10 parsecs', expected a positive duration such as 500ms, 10s, 2m, 1h or PT10S",
                "rb.yaml:10:9: steps[1].to: found variable ${form}, expected one of ${from}, ${reason}, ${shards}, ${to} (declare others under parameters)");
    }

    @Test
    void aCatchUpWaitNeedsAMaxLagConditionAndRoomInTheTimeout() {
        String lag = VALID.replace("      - dc-healthy: ${to}", "      - dc-healthy: ${to}\n      - max-lag: 1s");
        assertThat(problems(lag.replace("kind: precheck", "kind: precheck\n    timeout: 10s\n    catchUpWait: 5s"))).isEmpty();
        assertThat(problems(lag.replace("kind: precheck", "kind: precheck\n    catchUpWait: 0s"))).as("0s: refuse at once").isEmpty();
        assertThat(only(lag.replace("kind: precheck", "kind: precheck\n    timeout: 4s\n    catchUpWait: 3s")))
                .isEqualTo("rb.yaml:6:18: steps[0].catchUpWait: found '3s', more than half the step's timeout of 4s, expected at most 2s: "
                        + "the checks themselves need the other half (or a longer timeout)");
        assertThat(only(VALID.replace("kind: precheck", "kind: precheck\n    catchUpWait: 2s")))
                .isEqualTo("rb.yaml:5:18: steps[0].catchUpWait: found catchUpWait without a max-lag condition, expected a max-lag "
                        + "condition in conditions: only a candidate catching up is waited for, every other condition refuses at once");
        assertThat(only(lag.replace("kind: precheck", "kind: precheck\n    catchUpWait: -1s")))
                .isEqualTo("rb.yaml:5:18: steps[0].catchUpWait: found '-1s', expected a duration such as 0s (no wait), 500ms, 5s or PT5S");
        assertThat(only(VALID.replace("kind: switch-shards", "kind: switch-shards\n    catchUpWait: 2s")))
                .startsWith("rb.yaml:9:5: steps[1].catchUpWait: found unknown field 'catchUpWait'");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        List<Problem> problems = problems("""
                name: Bad Name
                colour: blue
                steps:
                  - id: a
                    kind: teleport
                  - id: a
                    kind: notify
                  - just a string
                """);
        assertThat(problems).extracting(Problem::path)
                .containsExactly("name", "colour", "steps[0].kind", "steps[1].message", "steps[2]");
    }

    @Test
    void emptyOddAndNonUtf8DocumentsAreClearErrors() throws IOException {
        assertThat(only("")).isEqualTo("rb.yaml:1:1: found an empty document, expected a runbook: a mapping with name and steps");
        assertThat(only("- a\n- b\n")).contains("found a list, expected a mapping with name");
        assertThat(only(VALID + "---\nname: two\n")).contains("malformed YAML").contains("single document");
        assertThat(only("name: x\nsteps: []\n")).contains("steps: found an empty list, expected at least one step");
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[]{'n', 'a', 'm', 'e', ':', ' ', (byte) 0xE9, '\n'});
        assertThat(Runbooks.check(latin1).report()).endsWith("found bytes that are not UTF-8, expected a UTF-8 text file");
    }
}
