package dev.baton.orchestrator.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.orchestrator.config.ApiRole;
import dev.baton.orchestrator.config.ApiUser;
import dev.baton.orchestrator.config.ConfigFile;
import dev.baton.orchestrator.config.ConfigLoader;
import dev.baton.orchestrator.config.ConfigLoaderTest;
import dev.baton.orchestrator.config.CoordinatorConfig;
import dev.baton.orchestrator.config.CoordinatorPeer;
import dev.baton.orchestrator.config.TokenHash;
import dev.baton.orchestrator.config.ZooKeeperConfig;
import dev.baton.orchestrator.runbook.CatalogRefused;
import dev.baton.orchestrator.runbook.RunbookCatalog;
import dev.baton.orchestrator.switchover.SwitchoverOptions;
import dev.baton.wire.Endpoint;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator whose config names a site's runbooks directory, on a real ZooKeeper (Curator's
 * TestingServer) and real HTTP: what its API offers, and the starts it refuses. The topology's servers
 * do not exist: nothing here needs them.
 */
class RunbookCatalogApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPERATOR = "operator-token";
    private static final String VIEWER = "viewer-token";
    private static final String SHIPPED = "planned-evacuation, emergency-failover, shard-switchover, fail-back";

    @TempDir
    static Path dir;
    static TestingServer zookeeper;
    static Path siteFile;
    static Coordinator coordinator;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = new TestingServer(true);
        Path runbooks = Files.createDirectories(dir.resolve("site-runbooks"));
        siteFile = Files.writeString(runbooks.resolve("site-evacuation.yaml"), siteEvacuation());
        CoordinatorConfig config = config("ok", "site-runbooks");
        assertThat(config.runbooks()).as("relative to the config's folder").isEqualTo(runbooks);
        coordinator = Coordinator.start(config, "c-east", SwitchoverOptions.defaults());
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.leadership().isLeader());
    }

    @AfterAll
    static void stop() throws Exception {
        if (coordinator != null) coordinator.close();
        if (zookeeper != null) zookeeper.close();
    }

    /** The shipped planned evacuation under a site's name, with the site's own closing message. */
    static String siteEvacuation() {
        String shipped = RunbookCatalog.shipped().find("planned-evacuation").orElseThrow().text();
        String site = shipped.replace("name: planned-evacuation", "name: site-evacuation")
                .replace("message: \"Evacuated ${from} into ${to} (${shards}): ${reason}\"",
                        "message: \"site-evacuation moved checkout from ${from} to ${to}: ${reason}\"");
        assertThat(site).as("both replacements took").isNotEqualTo(shipped).contains("name: site-evacuation", "site-evacuation moved");
        return site;
    }

    /** A config written to {@code dir/NAME.yaml}, its coordinator on a free port. */
    private static CoordinatorConfig config(String name, String runbooks) {
        ConfigFile file = new ConfigFile(ConfigLoaderTest.topology(), null,
                List.of(new CoordinatorPeer("c-east", "east", new Endpoint("127.0.0.1", Http.freePort()))),
                new ZooKeeperConfig(zookeeper.getConnectString(), "catalog-" + name, 4000),
                List.of(new ApiUser("olga", ApiRole.OPERATOR, TokenHash.of(OPERATOR)), new ApiUser("vic", ApiRole.VIEWER, TokenHash.of(VIEWER))),
                List.of(), "audit-" + name + ".jsonl", null, null, runbooks);
        ConfigLoader.write(file, dir.resolve(name + ".yaml"));
        return ConfigLoader.load(dir.resolve(name + ".yaml"));
    }

    private static String api(String path) {
        return coordinator.url() + "/api/v1" + path;
    }

    private static JsonNode get(String path) throws Exception {
        var response = Http.get(api(path), VIEWER);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void anyUserListsTheShippedAndTheSiteRunbooksWithTheirFilesHashes() throws Exception {
        JsonNode list = get("/runbooks");

        assertThat(list).extracting(r -> r.get("name").asText() + " " + r.get("source").asText() + " " + r.get("scope").asText())
                .containsExactly("planned-evacuation shipped datacenter", "emergency-failover shipped datacenter",
                        "shard-switchover shipped shard", "fail-back shipped datacenter", "site-evacuation site datacenter");
        JsonNode site = list.get(4);
        assertThat(site.get("file").asText()).isEqualTo("site-evacuation.yaml");
        assertThat(site.get("sha256").asText()).isEqualTo(sha256(Files.readAllBytes(siteFile)));
        assertThat(site.get("description").asText()).isEqualTo("Move checkout traffic and every shard primary out of ${from} into ${to}.");
        for (JsonNode r : list) assertThat(r.get("sha256").asText()).matches("[0-9a-f]{64}");
        assertThat(Http.get(api("/runbooks"), null).statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(Http.get(api("/openapi.json"), null).body()).get("paths").fieldNames()).toIterable()
                .contains("/runbooks", "/runbooks/{name}");
    }

    @Test
    void oneRunbookShowsTheYamlAsLoadedAndItsStepsInOrder() throws Exception {
        JsonNode site = get("/runbooks/site-evacuation");

        assertThat(site.get("text").asText()).isEqualTo(Files.readString(siteFile));
        assertThat(site.get("sha256").asText()).isEqualTo(sha256(Files.readAllBytes(siteFile)));
        assertThat(site.get("steps")).extracting(s -> s.get("id").asText() + ":" + s.get("kind").asText())
                .containsExactly("precheck:precheck", "drain-dns:drain-dns", "drain-lb:drain-lb", "switch-shards:switch-shards",
                        "verify:verify-checkout", "report:notify");
        JsonNode drainDns = site.at("/steps/1");
        assertThat(drainDns.get("timeout").asText()).isEqualTo("PT10S");
        assertThat(drainDns.get("onFailure").asText()).isEqualTo("rollback");
        assertThat(drainDns.get("undo").asText()).isEqualTo("restore-dns");
        assertThat(drainDns.get("pointOfNoReturn").asBoolean()).isFalse();
        assertThat(site.at("/steps/3/pointOfNoReturn").asBoolean()).isTrue();
        assertThat(site.get("rollback")).extracting(s -> s.get("id").asText()).containsExactly("restore-dns", "restore-lb");

        JsonNode shipped = get("/runbooks/fail-back");
        assertThat(shipped.get("source").asText()).isEqualTo("shipped");
        assertThat(shipped.get("text").asText()).isEqualTo(RunbookCatalog.shipped().find("fail-back").orElseThrow().text());
    }

    @Test
    void anUnknownRunbookIsRefusedListingTheCatalog() throws Exception {
        var notFound = Http.get(api("/runbooks/nope"), VIEWER);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(notFound.body()).get("message").asText())
                .isEqualTo("no runbook named 'nope' on coordinator c-east; its runbooks: " + SHIPPED + ", site-evacuation");

        // A file path is only a name the catalog does not have: no request makes the coordinator read a file.
        for (String name : List.of("nope", "../site-runbooks/site-evacuation.yaml", siteFile.toString())) {
            // A dry run looks the name up the same way.
            for (boolean dryRun : name.equals("nope") ? List.of(true, false) : List.of(false)) {
                var refused = Http.post(api("/failovers"), OPERATOR, JSON.createObjectNode().put("runbook", name).put("from", "east")
                        .put("to", "west").put("reason", "typo").put("dryRun", dryRun).toString());
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
                assertThat(JSON.readTree(refused.body()).get("message").asText())
                        .isEqualTo("no runbook named '" + name + "' on coordinator c-east; its runbooks: " + SHIPPED + ", site-evacuation");
            }
        }
        assertThat(Http.get(api("/failovers"), VIEWER).body()).isEqualTo("[]");
    }

    @Test
    void aSiteRunbookIsPlannedByNameInADryRun() throws Exception {
        var dryRun = Http.post(api("/failovers"), OPERATOR,
                "{\"runbook\":\"site-evacuation\",\"from\":\"east\",\"to\":\"west\",\"reason\":\"preview\",\"dryRun\":true}");

        assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(dryRun.body());
        assertThat(answer.get("runbook").asText()).isEqualTo("site-evacuation");
        assertThat(StreamSupport.stream(answer.at("/runbookPlan/steps").spliterator(), false).map(s -> s.get("id").asText()).toList())
                .containsExactly("precheck", "drain-dns", "drain-lb", "switch-shards", "verify", "report");
        assertThat(answer.get("runbookText").asText()).contains("site-evacuation moved checkout from east to west: preview");
    }

    @Test
    void aCoordinatorWithABadSiteRunbookDoesNotStart() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad-runbooks"));
        Path copy = Files.writeString(bad.resolve("planned-evacuation.yaml"), RunbookCatalog.shipped().find("planned-evacuation")
                .orElseThrow().text());
        Path broken = Files.writeString(bad.resolve("broken.yaml"), "name: broken\nsteps:\n  - {id: a, kind: notify, message: [x}\n");
        CoordinatorConfig config = config("bad", "bad-runbooks");

        assertThatThrownBy(() -> Coordinator.start(config, "c-east", SwitchoverOptions.defaults()))
                .isInstanceOfSatisfying(CatalogRefused.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    assertThat(e.problems().get(0)).startsWith(broken + ":3:");
                    assertThat(e.problems().get(1)).startsWith(copy + ":4:7: name: found name 'planned-evacuation', which is a shipped"
                            + " runbook's, expected a name of its own: a site's copy of a shipped runbook must be renamed");
                });
        // Refused before anything started: its API port is free.
        Endpoint http = config.coordinators().getFirst().http();
        assertThatThrownBy(() -> new Socket(http.host(), http.port()).close()).isInstanceOf(IOException.class);

        CoordinatorConfig missing = config("missing", "no-such-dir");
        assertThatThrownBy(() -> Coordinator.start(missing, "c-east", SwitchoverOptions.defaults()))
                .isInstanceOf(CatalogRefused.class).hasMessageContaining(dir.resolve("no-such-dir") + ": found nothing");
    }

    @Test
    void aSiteRunbookAskingForAChannelOrAConsulTheConfigLacksStopsTheStart() throws Exception {
        Path needs = Files.createDirectories(dir.resolve("needy-runbooks"));
        Files.writeString(needs.resolve("needy.yaml"), """
                name: needy
                steps:
                  - {id: mark, kind: consul, kv: {key: baton/active, value: "${to}"}}
                  - {id: tell, kind: notify, message: "moved", channels: [chat, pager]}
                """);
        CoordinatorConfig config = config("needy", "needy-runbooks");

        // This config has no notify channels and no Consul: the site runbook could never run here.
        assertThatThrownBy(() -> Coordinator.start(config, "c-east", SwitchoverOptions.defaults()))
                .isInstanceOfSatisfying(CatalogRefused.class, e -> assertThat(e.problems()).containsExactly(
                        "needy.yaml:3:22: steps[0].kind: found a consul step, expected a coordinator config with consul: (it has none)",
                        "needy.yaml:4:59: steps[1].channels[0]: found channel 'chat', expected a channel under notify: in the"
                                + " coordinator config (none is configured)",
                        "needy.yaml:4:65: steps[1].channels[1]: found channel 'pager', expected a channel under notify: in the"
                                + " coordinator config (none is configured)"));
        Endpoint http = config.coordinators().getFirst().http();
        assertThatThrownBy(() -> new Socket(http.host(), http.port()).close()).isInstanceOf(IOException.class);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
