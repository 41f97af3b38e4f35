package dev.baton.orchestrator.runbook;

import dev.baton.runbooks.Checked;
import dev.baton.runbooks.Runbooks;
import dev.baton.runbooks.check.Problem;
import dev.baton.runbooks.check.RunbookParser;
import dev.baton.runbooks.check.SourceMap;
import dev.baton.runbooks.model.Runbook;
import dev.baton.runbooks.model.Step;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The runbooks a coordinator runs, by name: the shipped ones, then a site's own reviewed ones, one
 * {@code NAME.yaml} file each in the directory its config names ({@code runbooks:}). Read and validated
 * once, when the coordinator starts, and never again: a changed file takes a restart, so what a coordinator
 * runs is what its listing's SHA-256 names. Requests name runbooks, never files.
 * <p>
 * A runbook's {@code name:} must be its file's name: file names are unique, so two site runbooks cannot
 * clash, and one named like a shipped runbook is refused (a site's copy must be renamed).
 */
public final class RunbookCatalog {
    private static final String SUFFIX = ".yaml";

    public enum Source { SHIPPED, SITE }

    /**
     * One runbook as loaded.
     *
     * @param file   the file's name, {@code NAME.yaml} (a shipped runbook's: its resource's)
     * @param sha256 of the file's bytes, in hex: what ties the runbook that runs to a reviewed commit
     * @param text   the YAML as loaded
     */
    public record Entry(String name, Source source, String file, String sha256, String text, Runbook runbook) {
    }

    private final Map<String, Entry> entries;

    private RunbookCatalog(List<Entry> entries) {
        Map<String, Entry> byName = new LinkedHashMap<>();
        entries.forEach(e -> byName.put(e.name(), e));
        this.entries = Collections.unmodifiableMap(byName);
    }

    /** The shipped runbooks alone: a coordinator whose config names no runbooks directory. */
    public static RunbookCatalog shipped() {
        return new RunbookCatalog(shippedEntries());
    }

    /**
     * The shipped runbooks and every {@code *.yaml} file of {@code dir} (hidden files aside), all validated.
     *
     * @param dir null for the shipped runbooks alone
     * @throws CatalogRefused every problem of every file, each as {@code file:line:column}; nothing is half-loaded
     */
    public static RunbookCatalog load(Path dir) {
        if (dir == null) return shipped();
        if (!Files.isDirectory(dir)) {
            throw new CatalogRefused(dir.toString(), List.of(dir + ": found " + (Files.exists(dir) ? "a file" : "nothing")
                    + ", expected the directory of the site's runbooks (config field 'runbooks')"));
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new CatalogRefused(dir.toString(), List.of(dir + ": cannot be listed (" + e + ")"));
        }
        List<SiteFile> site = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(".yml")) {
                // Would be silently left out: the SRE who wrote it expects it to be offered.
                site.add(SiteFile.Refused.of(new Problem(file.toString(), 1, 1, "", "a .yml file", "runbook files named NAME" + SUFFIX
                        + " (only those are read)")));
            }
            if (!name.endsWith(SUFFIX) || !Files.isRegularFile(file)) continue;
            // Refuses an oversize file unread, and one that is not UTF-8, with the rest of the validation.
            Checked direct = Runbooks.check(file);
            if (!direct.ok()) {
                site.add(new SiteFile.Refused(direct.problems().stream().map(Problem::message).toList()));
                continue;
            }
            try {
                site.add(new SiteFile.Read(file.toString(), name, Files.readAllBytes(file)));
            } catch (IOException e) {
                site.add(SiteFile.Refused.of(new Problem(file.toString(), 1, 1, "", "a file that cannot be read (" + e + ")",
                        "a readable runbook file")));
            }
        }
        return build(dir.toString(), site);
    }

    /**
     * The shipped runbooks and these site runbooks, checked as files of a runbooks directory are: how a
     * test gives a coordinator its own runbooks.
     *
     * @param site each runbook's YAML by its file's name ({@code NAME.yaml})
     * @throws CatalogRefused every problem, as {@link #load}
     */
    public static RunbookCatalog of(Map<String, String> site) {
        site.keySet().stream().filter(f -> !f.endsWith(SUFFIX)).findFirst().ifPresent(f -> {
            throw new IllegalArgumentException("'" + f + "' is not a runbook file's name: NAME" + SUFFIX);
        });
        return build("the given runbooks", site.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .<SiteFile>map(e -> new SiteFile.Read(e.getKey(), e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8))).toList());
    }

    /**
     * What the site runbooks ask of the coordinator that would run them and its config lacks: a notify
     * channel it does not configure, a consul step without Consul. Checked when the coordinator starts, so
     * that a reviewed runbook that could never run is found then, not when an SRE needs it. Shipped runbooks
     * are exempt: a site without a pager still runs planned evacuations, and a request for
     * emergency-failover there is refused naming the missing channel.
     *
     * @param channels the config's notify channels
     * @param consul   whether the config names a Consul
     * @return one {@code file:line:column} problem each; empty when every site runbook can run
     */
    public List<String> unmetBy(Set<String> channels, boolean consul) {
        List<String> problems = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (entry.source() != Source.SITE) continue;
            SourceMap where = RunbookParser.parse(entry.file(), entry.text()).where();
            unmet(entry.runbook().steps(), "steps", where, channels, consul, problems);
            unmet(entry.runbook().rollback(), "rollback", where, channels, consul, problems);
        }
        return problems;
    }

    private static void unmet(List<Step> steps, String path, SourceMap where, Set<String> channels, boolean consul, List<String> problems) {
        String known = channels.isEmpty() ? "none is configured" : String.join(", ", new TreeSet<>(channels));
        for (int i = 0; i < steps.size(); i++) {
            String at = path + "[" + i + "]";
            switch (steps.get(i)) {
                case Step.Notify notify -> {
                    for (int c = 0; c < notify.channels().size(); c++) {
                        String channel = notify.channels().get(c);
                        if (channels.contains(channel)) continue;
                        problems.add(where.problem(at + ".channels[" + c + "]", "channel '" + channel + "'",
                                "a channel under notify: in the coordinator config (" + known + ")").message());
                    }
                }
                case Step.Consul c when !consul -> problems.add(where.problem(at + ".kind", "a consul step",
                        "a coordinator config with consul: (it has none)").message());
                default -> {
                }
            }
        }
    }

    /** Shipped, then site runbooks in file name order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** A file of the runbooks directory: its bytes, or why they cannot be used. */
    private sealed interface SiteFile {
        /** @param source where its problems point; {@code fileName}, NAME.yaml, names the runbook it must hold */
        record Read(String source, String fileName, byte[] bytes) implements SiteFile {
        }

        record Refused(List<String> problems) implements SiteFile {
            static Refused of(Problem problem) {
                return new Refused(List.of(problem.message()));
            }
        }
    }

    /** Every problem in file order, each file's in line order. */
    private static RunbookCatalog build(String where, List<SiteFile> site) {
        List<String> problems = new ArrayList<>();
        List<Entry> entries = new ArrayList<>(shippedEntries());
        for (SiteFile file : site) {
            switch (file) {
                case SiteFile.Refused refused -> problems.addAll(refused.problems());
                case SiteFile.Read read -> admit(read, entries, problems);
            }
        }
        if (!problems.isEmpty()) throw new CatalogRefused(where, problems);
        return new RunbookCatalog(entries);
    }

    /** Adds the file's runbook to {@code entries}, or what is wrong with it to {@code problems}. */
    private static void admit(SiteFile.Read file, List<Entry> entries, List<String> problems) {
        String text = new String(file.bytes(), StandardCharsets.UTF_8);
        // Checked from the bytes kept: what runs is what the SHA-256 names, even were the file edited since.
        Checked checked = Runbooks.check(file.source(), text);
        if (!checked.ok()) {
            checked.problems().forEach(p -> problems.add(p.message()));
            return;
        }
        String name = checked.runbook().name();
        String expected = file.fileName().substring(0, file.fileName().length() - SUFFIX.length());
        if (!name.equals(expected)) {
            problems.add(atName(file, text, "name '" + name + "' in file " + file.fileName(), "name '" + expected
                    + "': a runbook is known by its file's name; rename the file or change name:"));
        } else if (Runbooks.SHIPPED.contains(name)) {
            problems.add(atName(file, text, "name '" + name + "', which is a shipped runbook's", "a name of its own: a site's copy"
                    + " of a shipped runbook must be renamed (file and name:, e.g. site-" + name + ")"));
        } else {
            entries.add(new Entry(name, Source.SITE, file.fileName(), sha256(file.bytes()), text, checked.runbook()));
        }
    }

    /** A problem pointed at the document's {@code name:}; only on this error path is the text parsed again for positions. */
    private static String atName(SiteFile.Read file, String text, String found, String expected) {
        return RunbookParser.parse(file.source(), text).where().problem("name", found, expected).message();
    }

    private static List<Entry> shippedEntries() {
        return Runbooks.SHIPPED.stream().map(RunbookCatalog::shippedEntry).toList();
    }

    private static Entry shippedEntry(String name) {
        String file = name + SUFFIX;
        try (InputStream in = Runbooks.class.getResourceAsStream("/runbooks/" + file)) {
            if (in == null) throw new IllegalStateException("the shipped runbook " + name + " is missing from the jar");
            byte[] bytes = in.readAllBytes();
            String text = new String(bytes, StandardCharsets.UTF_8);
            return new Entry(name, Source.SHIPPED, file, sha256(bytes), text, Runbooks.check("shipped:" + name, text).orThrow());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped runbook " + name + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
