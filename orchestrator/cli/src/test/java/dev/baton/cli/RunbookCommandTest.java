package dev.baton.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.wire.CheckoutFrontend;
import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.DbServer;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Role;
import dev.baton.wire.Shard;
import dev.baton.wire.ShardFrontends;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code baton runbook validate|plan} offline, against a topology JSON written here: no lab. */
class RunbookCommandTest {
    @TempDir
    static Path dir;
    static Path topologyFile;

    /** Two DCs of two shards, shaped like the lab's, every primary in east. */
    @BeforeAll
    static void writeTopology() {
        List<String> dcs = List.of("east", "west");
        List<Datacenter> datacenters = new ArrayList<>();
        for (int d = 0; d < 2; d++) {
            String address = "127.0." + (d + 1) + ".1";
            List<ShardFrontends> frontends = List.of("s1", "s2").stream().map(s -> new ShardFrontends(s,
                    new Endpoint(address, s.equals("s1") ? 21001 : 21002), "w_" + s, "db", new Endpoint(address, 22000), "r_" + s)).toList();
            datacenters.add(new Datacenter(dcs.get(d), address, new Endpoint(address, 19000), new Endpoint(address, 18000), frontends,
                    new CheckoutFrontend(new Endpoint(address, 18001), "b_checkout")));
        }
        List<Shard> shards = new ArrayList<>();
        for (int s = 1; s <= 2; s++) {
            int port = 23000 + s;
            shards.add(new Shard("s" + s, s - 1, List.of(
                    new DbServer("s" + s + "-east", "s" + s, "east", new Endpoint("127.0.1.1", port), Role.PRIMARY),
                    new DbServer("s" + s + "-west", "s" + s, "west", new Endpoint("127.0.2.1", port), Role.REPLICA))));
        }
        Topology topology = new Topology("test", datacenters, shards, new Dns("example.test.", "checkout.example.test.", 1,
                new Endpoint("127.0.0.1", 5300), "http://127.0.0.1:8081", "k"), new Endpoint("127.0.0.1", 2181),
                new Credentials("shop", "a", "a", "b", "b", "c", "c"));
        topologyFile = dir.resolve("lab").resolve("topology.json");
        topology.write(topologyFile);
    }

    @Test
    void validateAShippedRunbookByNameSaysOkInOneLine() {
        MainTest.Run r = MainTest.run("runbook", "validate", "planned-evacuation");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("OK: shipped:planned-evacuation is runbook planned-evacuation (6 steps, 2 rollback steps)\n");
    }

    @Test
    void validatePrintsEveryProblemWithFileLineAndColumn() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, """
                name: broken
                steps:
                  - id: a
                    kind: teleport
                  - id: a
                    kind: notify
                    message: hi
                    timeout: soon
                """);
        MainTest.Run r = MainTest.run("runbook", "validate", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).containsExactly(
                file + ":4:11: steps[0].kind: found kind 'teleport', expected one of [precheck, approval, drain-dns, drain-lb, "
                        + "switch-shards, flip-writer, consul, http-hook, wait-until, verify-checkout, notify]",
                file + ":8:14: steps[1].timeout: found 'soon', expected a positive duration such as 500ms, 10s, 2m, 1h or PT10S",
                "2 problem(s) in " + file);
    }

    @Test
    void validateOfAMissingFileSaysSo() {
        MainTest.Run r = MainTest.run("runbook", "validate", dir.resolve("nope.yaml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml:1:1: found a file that cannot be read");
    }

    @Test
    void planPrintsEveryTouchedThingInOrderAndChangesNothing() {
        MainTest.Run r = MainTest.run("runbook", "plan", "planned-evacuation", "--from", "east", "--to", "west",
                "--topology", topologyFile.toString(), "--reason", "drill");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("plan: runbook planned-evacuation, from east to west, shards s1,s2, reason: drill")
                .contains("1. precheck [precheck] timeout 10s, on failure stop")
                .contains("DNS checkout.example.test. (zone example.test.) A -> 127.0.2.1 (DC west, TTL 1)")
                .contains("HAProxy east at 127.0.1.1:19000 backend b_checkout: east=0 west=100")
                .contains("4. switch-shards [switch-shards] timeout 1m, on failure rollback, POINT OF NO RETURN")
                .contains("group 1 of 1, in parallel: s1, s2 (each within 10s)")
                .contains("s1: fence s1-east 127.0.1.1:23001, promote s1-west 127.0.2.1:23001")
                .contains("s2: HAProxy west at 127.0.2.1:19000 w_s2/db (frontend 127.0.2.1:21002) -> 127.0.2.1:23002 (s2-west)")
                .contains("synthetic checkout on s2 at DC west's app 127.0.2.1:18000")
                .endsWith("plan only: nothing changed\n");
        assertThat(r.out().indexOf("drain-dns")).isLessThan(r.out().indexOf("drain-lb")).isLessThan(r.out().indexOf("4. switch-shards"));
    }

    @Test
    void planReadsTheLabsTopologyWithDirAndPrintsJson() throws IOException {
        MainTest.Run r = MainTest.run("runbook", "plan", "shard-switchover", "--from", "east", "--to", "west", "--shards", "s2",
                "--dir", topologyFile.getParent().toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode plan = new ObjectMapper().readTree(r.out());
        assertThat(plan.path("shards").toString()).isEqualTo("[\"s2\"]");
        assertThat(plan.at("/steps/1/action/type").asText()).isEqualTo("SwitchShards");
        assertThat(plan.at("/steps/1/action/groups/0/0/candidate/id").asText()).isEqualTo("s2-west");
    }

    @Test
    void planRefusesAnUnknownDcAndNamesTheKnownOnes() {
        MainTest.Run r = MainTest.run("runbook", "plan", "planned-evacuation", "--from", "east", "--to", "north",
                "--topology", topologyFile.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("cannot plan runbook planned-evacuation against " + topologyFile)
                .contains("the request's 'to' is unknown DC 'north'; the topology has east, west");
    }

    @Test
    void planRefusesARunbookTouchingAShardNotInTheTopology() throws IOException {
        Path file = dir.resolve("s9.yaml");
        Files.writeString(file, "name: s9\nsteps:\n  - {id: move, kind: switch-shards, shards: [s9], pointOfNoReturn: true}\n");
        MainTest.Run r = MainTest.run("runbook", "plan", file.toString(), "--from", "east", "--to", "west", "--topology", topologyFile.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("step move (steps[0]): shard 's9' is not in the topology; it has s1, s2");
    }

    @Test
    void planWithoutATopologySaysWhereItLooked() {
        MainTest.Run r = MainTest.run("runbook", "plan", "fail-back", "--from", "west", "--to", "east", "--dir", "/nonexistent/lab");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no topology at /nonexistent/lab/topology.json");
    }

    @Test
    void listNamesTheShippedRunbooks() {
        MainTest.Run r = MainTest.run("runbook", "list");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().map(l -> l.split(" ")[0]).toList())
                .containsExactly("planned-evacuation", "emergency-failover", "shard-switchover", "fail-back");
    }
}
