package dev.baton.orchestrator.config;

import dev.baton.orchestrator.consul.ConsulTarget;
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
                .hasMessageMatching(java.util.regex.Pattern.quote(file.toString()) + ":1[1-3]:\\d+: users\\[0]\\.rolle: unknown field 'rolle'; known: expires, name, passwordBcrypt, role, tokenSha256");
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

    private static final String CHANNELS = """
            notify:
              ops-slack:
                kind: slack
                url: https://hooks.slack.example/T1/B2
              pager:
                kind: pagerduty
                url: https://events.pagerduty.example/v2/enqueue
                routingKey: R0UT1NGKEY
              audit-sink:
                kind: webhook
                url: http://127.0.0.1:9999/baton
            consul:
              url: http://127.0.0.1:8500
            """;

    private String valid() {
        return VALID.formatted(TokenHash.of("a"), TokenHash.of("b"));
    }

    @Test
    void notifyChannelsAndConsulAreRead() throws IOException {
        CoordinatorConfig config = ConfigLoader.load(write(valid() + CHANNELS));
        assertThat(config.channels()).containsOnlyKeys("ops-slack", "pager", "audit-sink");
        assertThat(config.channels().keySet()).containsExactly("ops-slack", "pager", "audit-sink");
        assertThat(config.channels().get("pager")).isEqualTo(new NotifyChannel(NotifyChannel.Kind.PAGERDUTY,
                "https://events.pagerduty.example/v2/enqueue", "R0UT1NGKEY"));
        assertThat(config.channels().get("pager").toString()).doesNotContain("R0UT1NGKEY");
        // Key and service default from the topology's name.
        assertThat(config.consul()).isEqualTo(new ConsulTarget("http://127.0.0.1:8500", "baton/t/active", "checkout"));
        assertThat(ConfigLoader.load(write(valid())).consulTarget()).isEmpty();
        assertThat(ConfigLoader.load(write(valid())).channels()).isEmpty();
    }

    @Test
    void aPagerDutyChannelWithoutRoutingKeyIsNamedWithItsLine() throws IOException {
        Path file = write(valid() + CHANNELS.replace("    routingKey: R0UT1NGKEY\n", ""));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageMatching(java.util.regex.Pattern.quote(file.toString()) + ":2[0-9]:\\d+: notify\\.pager: missing required field 'routingKey'");
    }

    @Test
    void anUnknownChannelKindOrABadUrlIsNamed() throws IOException {
        Path kind = write(valid() + CHANNELS.replace("kind: slack", "kind: teams"));
        assertThatThrownBy(() -> ConfigLoader.load(kind)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(kind + ":18:").hasMessageContaining("notify.ops-slack.kind").hasMessageContaining("teams");
        Path url = write(valid() + CHANNELS.replace("url: http://127.0.0.1:9999/baton", "url: ftp://127.0.0.1/baton"));
        assertThatThrownBy(() -> ConfigLoader.load(url)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("notify.audit-sink: url 'ftp://127.0.0.1/baton' is not http(s)://host/...");
        Path routing = write(valid() + CHANNELS.replace("kind: slack", "kind: slack\n    routingKey: x"));
        assertThatThrownBy(() -> ConfigLoader.load(routing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("notify.ops-slack: field 'routingKey' is for pagerduty channels only, not slack");
    }

    @Test
    void aBadConsulUrlOrKeyIsNamedWithItsLine() throws IOException {
        Path file = write(valid() + CHANNELS.replace("url: http://127.0.0.1:8500", "url: consul:8500"));
        assertThatThrownBy(() -> ConfigLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageMatching(java.util.regex.Pattern.quote(file.toString()) + ":\\d+:\\d+: consul: Consul URL is 'consul:8500', not http\\(s\\)://host:port");
        Path key = write(valid() + CHANNELS.replace("url: http://127.0.0.1:8500", "url: http://127.0.0.1:8500\n  key: /abs"));
        assertThatThrownBy(() -> ConfigLoader.load(key)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("consul: Consul key is '/abs': empty or starting with /");
    }

    @Test
    void theWrittenConfigKeepsItsChannelsAndIsReadableByItsOwnerOnly() throws IOException {
        ConfigFile file = new ConfigFile(topology(), null, List.of(new CoordinatorPeer("c1", "west", new Endpoint("127.0.0.1", 9))),
                new ZooKeeperConfig("127.0.0.1:2181", null, null), List.of(), List.of(), null,
                java.util.Map.of("pager", new NotifyChannel(NotifyChannel.Kind.PAGERDUTY, "https://pd.example/v2/enqueue", "RK")),
                new ConsulConfig("http://127.0.0.1:8500", "a/b", "shop"));
        Path path = dir.resolve("secret.yaml");
        ConfigLoader.write(file, path);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        CoordinatorConfig read = ConfigLoader.load(path);
        assertThat(read.channels()).isEqualTo(file.channels());
        assertThat(read.consul()).isEqualTo(new ConsulTarget("http://127.0.0.1:8500", "a/b", "shop"));
    }
}
