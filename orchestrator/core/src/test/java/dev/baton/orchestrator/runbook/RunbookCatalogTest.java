package dev.baton.orchestrator.runbook;

import dev.baton.runbooks.Runbooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A site's runbooks directory read as a coordinator reads it at start: all of it valid, or refused naming every problem. */
class RunbookCatalogTest {
    /** {@code sha256sum} of this text, computed outside Java. */
    private static final String TINY = "name: tiny\nsteps:\n  - {id: hello, kind: notify, message: \"hi ${to}\"}\n";
    private static final String TINY_SHA256 = "704c5021ed5cd7f9ac3c8e888175008adc13feb33b239562fd2698a56b923ae9";

    @TempDir
    Path dir;

    private Path write(String file, String text) throws Exception {
        return Files.writeString(dir.resolve(file), text);
    }

    @Test
    void theShippedRunbooksComeFirstThenTheSiteOnesInFileOrderWithTheirBytesAndHashes() throws Exception {
        write("tiny.yaml", TINY);
        write("a-site-evacuation.yaml", RunbookCatalog.shipped().find("planned-evacuation").orElseThrow().text()
                .replace("name: planned-evacuation", "name: a-site-evacuation"));
        // Not runbooks: another suffix, a hidden file (an editor's), a directory.
        write("README.md", "the site's runbooks");
        write(".tiny.yaml", "name: [not read");
        Files.createDirectory(dir.resolve("old.yaml"));

        RunbookCatalog catalog = RunbookCatalog.load(dir);

        assertThat(catalog.names()).containsExactly("planned-evacuation", "emergency-failover", "shard-switchover", "fail-back",
                "a-site-evacuation", "tiny");
        RunbookCatalog.Entry tiny = catalog.find("tiny").orElseThrow();
        assertThat(tiny.source()).isEqualTo(RunbookCatalog.Source.SITE);
        assertThat(tiny.file()).isEqualTo("tiny.yaml");
        assertThat(tiny.text()).isEqualTo(TINY);
        assertThat(tiny.sha256()).isEqualTo(TINY_SHA256);
        assertThat(tiny.runbook().steps()).extracting(s -> s.id() + ":" + s.kind()).containsExactly("hello:notify");
        RunbookCatalog.Entry shipped = catalog.find("planned-evacuation").orElseThrow();
        assertThat(shipped.source()).isEqualTo(RunbookCatalog.Source.SHIPPED);
        assertThat(shipped.runbook()).isEqualTo(Runbooks.shipped("planned-evacuation").orThrow());
        assertThat(catalog.find("a-site-evacuation").orElseThrow().runbook().steps())
                .isEqualTo(shipped.runbook().steps());
        assertThat(catalog.find(".tiny")).isEmpty();
        assertThat(catalog.find("old")).isEmpty();
    }

    @Test
    void noDirectoryMeansTheShippedRunbooksAloneAndAnEmptyOneTheSame() {
        assertThat(RunbookCatalog.load(null).names()).isEqualTo(Runbooks.SHIPPED);
        assertThat(RunbookCatalog.load(dir).names()).isEqualTo(Runbooks.SHIPPED);
    }

    @Test
    void anInvalidFileIsRefusedWithItsLineAndColumn() throws Exception {
        Path bad = write("bad.yaml", "name: bad\nsteps:\n  - id: one\n    kind: drain-dns\n    to: ${to}\n    timeout: soon\n");

        assertThatThrownBy(() -> RunbookCatalog.load(dir)).isInstanceOfSatisfying(CatalogRefused.class, e -> {
            assertThat(e.problems()).singleElement().asString().startsWith(bad + ":6:14: steps[0].timeout: found 'soon'");
            assertThat(e.getMessage()).startsWith("the runbooks of " + dir + " cannot be used (1 problem(s)):\n" + bad + ":6:14:");
        });
    }

    @Test
    void aSiteCopyOfAShippedRunbookMustBeRenamed() throws Exception {
        Path copy = write("fail-back.yaml", RunbookCatalog.shipped().find("fail-back").orElseThrow().text());
        int line = lineOf(copy, "name: fail-back");

        assertThatThrownBy(() -> RunbookCatalog.load(dir)).isInstanceOfSatisfying(CatalogRefused.class, e -> assertThat(e.problems())
                .containsExactly(copy + ":" + line + ":7: name: found name 'fail-back', which is a shipped runbook's, expected a name"
                        + " of its own: a site's copy of a shipped runbook must be renamed (file and name:, e.g. site-fail-back)"));
    }

    @Test
    void aRunbookIsKnownByItsFilesName() throws Exception {
        Path file = write("evacuate-east.yaml", "# east only\n" + TINY);

        assertThatThrownBy(() -> RunbookCatalog.load(dir)).isInstanceOfSatisfying(CatalogRefused.class, e -> assertThat(e.problems())
                .containsExactly(file + ":2:7: name: found name 'tiny' in file evacuate-east.yaml, expected name 'evacuate-east':"
                        + " a runbook is known by its file's name; rename the file or change name:"));
    }

    @Test
    void everyProblemOfEveryFileIsReportedAtOnceAndNothingIsHalfLoaded() throws Exception {
        write("good.yaml", TINY.replace("name: tiny", "name: good"));
        Path truncated = write("truncated.yaml", "name: truncated\nsteps:\n  - {id: a, kind: notify, message: \"hi");
        Path unknown = write("unknown-step.yaml", "name: unknown-step\nsteps:\n  - {id: a, kind: reboot-dc}\n");
        Path yml = write("other.yml", TINY);
        Path mismatch = write("planned-evacuation.yaml", TINY);

        assertThatThrownBy(() -> RunbookCatalog.load(dir)).isInstanceOfSatisfying(CatalogRefused.class, e -> {
            List<String> problems = e.problems();
            assertThat(problems).hasSize(4);
            assertThat(problems.get(0)).startsWith(yml + ":1:1: found a .yml file, expected runbook files named NAME.yaml");
            assertThat(problems.get(1)).startsWith(mismatch + ":1:7: name: found name 'tiny' in file planned-evacuation.yaml");
            assertThat(problems.get(2)).startsWith(truncated + ":3:");
            assertThat(problems.get(3)).startsWith(unknown + ":3:").contains("'reboot-dc'");
        });
    }

    @Test
    void aMissingDirectoryOrAFileInItsPlaceIsRefusedNamingTheConfigField() throws Exception {
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> RunbookCatalog.load(missing)).isInstanceOf(CatalogRefused.class)
                .hasMessageEndingWith(missing + ": found nothing, expected the directory of the site's runbooks (config field 'runbooks')");
        Path file = write("tiny.yaml", TINY);
        assertThatThrownBy(() -> RunbookCatalog.load(file)).isInstanceOf(CatalogRefused.class)
                .hasMessageEndingWith(file + ": found a file, expected the directory of the site's runbooks (config field 'runbooks')");
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedUnread() throws Exception {
        // Sparse, 4 GiB: no disk used, and a catalog that read it before looking at its size could not (no byte array is
        // that large), so "unread" is shown by the answer, not by how long it took.
        Path big = dir.resolve("big.yaml");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(4L << 30);
        }
        assertThatThrownBy(() -> RunbookCatalog.load(dir)).isInstanceOfSatisfying(CatalogRefused.class, e -> assertThat(e.problems())
                .containsExactly(big + ":1:1: found a file of 4294967296 bytes, expected at most 1048576 bytes (1 MiB)"));
    }

    @Test
    void aTestGivesItsOwnRunbooksAsTexts() {
        RunbookCatalog catalog = RunbookCatalog.of(Map.of("tiny.yaml", TINY));
        assertThat(catalog.find("tiny").orElseThrow().sha256()).isEqualTo(TINY_SHA256);
        assertThatThrownBy(() -> RunbookCatalog.of(Map.of("other.yaml", TINY))).isInstanceOf(CatalogRefused.class)
                .hasMessageContaining("other.yaml:1:7: name: found name 'tiny' in file other.yaml, expected name 'other'");
    }

    private static int lineOf(Path file, String text) throws Exception {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).contains(text);
        return lines.indexOf(text) + 1;
    }
}
