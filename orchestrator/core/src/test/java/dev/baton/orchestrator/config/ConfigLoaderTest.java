package dev.baton.orchestrator.config;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class ConfigLoaderTest {
    @TempDir
    Path dir;

    public static Topology topology() {
        Endpoint any = new Endpoint("127.0.0.1", 1);
        List<Datacenter> dcs = List.of("east", "west").stream().map(dc -> new Datacenter(dc, "127.0.0.1", any, any,
                List.of(new ShardFrontends("s1", any, "s1_writer", "primary", any, "s1_reader")),
                new CheckoutFrontend(any, "b_checkout"))).toList();
        Shard s1 = new Shard("s1", 0, List.of(new DbServer("s1-east", "s1", "east", any, Role.PRIMARY),
                new DbServer("s1-west", "s1", "west", any, Role.REPLICA)));
        return new Topology("t", dcs, List.of(s1), new Dns("example.test.", "checkout.example.test.", 1, any, "http://127.0.0.1:1", "k"),
                any, new Credentials("shop", "root", "", "app", "app", "repl", "repl"));
    }

    private Path write(String yaml) throws IOException {
        topology().write(dir.resolve("topology.json"));
        Path file = dir.resolve("coordinator.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static final String VALID = """
            topologyFile: topology.json
            coordinators:
              - id: c-east
                dc: east
                http: {host: 127.0.0.1, port: 8701}
            zookeeper:
              connect: 127.0.0.1:2181
            users:
              - name: alice
                role: operator
                tokenSha256: %s
            agents:
              - id: agent-east
                dc: east
                tokenSha256: %s
            """;

    @Test
    void readsAValidConfigAndResolvesTheTopologyAndTheAuditLog() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("alice-token"), TokenHash.of("agent-token")));
        CoordinatorConfig config = ConfigLoader.load(file);
        assertThat(config.topology()).isEqualTo(topology());
        assertThat(config.coordinator("c-east")).get().extracting(CoordinatorPeer::url).isEqualTo("http://127.0.0.1:8701");
        assertThat(config.userWithToken("alice-token")).get().extracting(ApiUser::role).isEqualTo(ApiRole.OPERATOR);
        assertThat(config.userWithToken("wrong")).isEmpty();
        assertThat(config.agents().getFirst().token().matches("agent-token")).isTrue();
        assertThat(config.zookeeper().namespace()).isEqualTo("baton");
        assertThat(config.auditLog()).isEqualTo(dir.resolve("audit.jsonl"));
    }

    @Test
    void writtenConfigReadsBackTheSame() {
        ConfigFile file = new ConfigFile(topology(), null, List.of(new CoordinatorPeer("c1", "west", new Endpoint("127.0.0.1", 9))),
                new ZooKeeperConfig("127.0.0.1:2181", "x/y", 5000),
                List.of(new ApiUser("bob", ApiRole.VIEWER, TokenHash.of("t")),
                        new ApiUser("eve", ApiRole.ADMIN, TokenHash.of("u"), Instant.parse("2030-01-01T00:00:00Z"))),
                List.of(), "logs/audit.jsonl");
        ConfigLoader.write(file, dir.resolve("c.yaml"));
        CoordinatorConfig read = ConfigLoader.load(dir.resolve("c.yaml"));
        assertThat(read.topology()).isEqualTo(topology());
        assertThat(read.users()).isEqualTo(file.users());
        assertThat(read.zookeeper()).isEqualTo(file.zookeeper());
        assertThat(read.auditLog()).isEqualTo(dir.resolve("logs/audit.jsonl"));
    }

    @Test
    void malformedYamlNamesFileLineAndColumn() throws IOException {
        Path file = write("coordinators:\n  - id: c\n   dc: [east\n");
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":3:");
    }

    @Test
    void unknownFieldNamesItsPathLineAndTheKnownFields() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("    role: operator", "    role: operator\n    rolle: admin"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                // Records are built once the whole mapping is read, so Jackson may point at the mapping's end (line 13).
                .hasMessageMatching(java.util.regex.Pattern.quote(file.toString()) + ":1[1-3]:\\d+: users\\[0]\\.rolle: unknown field 'rolle'; known: expires, name, role, tokenSha256");
    }

    @Test
    void wrongTypeNamesThePath() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("port: 8701", "port: eighty"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":5:")
                .hasMessageContaining("coordinators[0].http.port")
                .hasMessageContaining("eighty");
    }

    @Test
    void unknownRoleNamesThePath() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("role: operator", "role: root"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":10:")
                .hasMessageContaining("users[0].role")
                .hasMessageContaining("root");
    }

    @Test
    void missingRequiredFieldIsNamed() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("    role: operator\n", ""));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":")
                .hasMessageContaining("users[0]: missing required field 'role'");
    }

    @Test
    void aPlainTextTokenInsteadOfItsHashIsRefused() throws IOException {
        Path file = write(VALID.formatted("s3cret", TokenHash.of("b")));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("users[0].tokenSha256")
                .hasMessageContaining("64 lower-case hex characters");
    }

    @Test
    void unknownDcOfAnAgentIsNamed() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("    dc: east\n    tokenSha256", "    dc: north\n    tokenSha256"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + ": agents[0].dc: unknown DC 'north'; the topology has east, west");
    }

    @Test
    void bothOrNeitherTopologyIsRefused() throws IOException {
        Path file = write(VALID.formatted(TokenHash.of("a"), TokenHash.of("b")).replace("topologyFile: topology.json\n", ""));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("give exactly one of 'topology' (inline) and 'topologyFile'");
    }
}
