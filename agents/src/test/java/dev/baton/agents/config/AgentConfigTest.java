package dev.baton.agents.config;

import dev.baton.wire.Credentials;
import dev.baton.wire.Datacenter;
import dev.baton.wire.Dns;
import dev.baton.wire.Endpoint;
import dev.baton.wire.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void topology() {
        new Topology("t", List.of(
                new Datacenter("east", "127.0.1.1", new Endpoint("127.0.1.1", 9000), new Endpoint("127.0.1.1", 8080), List.of(), null),
                new Datacenter("west", "127.0.2.1", new Endpoint("127.0.2.1", 9000), new Endpoint("127.0.2.1", 8080), List.of(), null)),
                List.of(), new Dns("example.test", "checkout.example.test.", 1, new Endpoint("127.0.0.1", 53), "http://x", "k"),
                new Endpoint("127.0.0.1", 2181), new Credentials("shop", "root", "", "app", "app", "repl", "repl"))
                .write(dir.resolve("lab/topology.json"));
    }

    private Path write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("agent.yaml"), yaml);
    }

    @Test
    void readsAConfigAndResolvesTheTopologyBesideIt() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                agentId: agent-east-1
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.1.1:7070, "http://127.0.2.1:7070/"]
                token: s3cret
                intervalMs: 500
                probeTimeoutMs: 400
                """));
        assertThat(c.agentId()).isEqualTo("agent-east-1");
        assertThat(c.topologyFile()).isEqualTo(dir.resolve("lab/topology.json"));
        assertThat(c.coordinators()).containsExactly(URI.create("http://127.0.1.1:7070"), URI.create("http://127.0.2.1:7070/"));
        assertThat(c.interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(400));
        assertThat(c.topology().datacenterNames()).containsExactly("east", "west");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void intervalAndTimeoutHaveDefaults() throws Exception {
        AgentConfig c = AgentConfig.read(write("""
                agentId: a
                dc: west
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                """));
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.probeTimeout()).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void anUnknownFieldIsRefusedWithFileLineAndColumn() throws Exception {
        Path file = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                colour: red
                """);
        assertThatThrownBy(() -> AgentConfig.read(file)).isInstanceOf(AgentConfigException.class)
                // Jackson checks a record's properties once the mapping is read: it points at the mapping's end.
                .hasMessageStartingWith(file + ":7:1: ")
                .hasMessageContaining("colour: unknown field 'colour'; known: agentId, coordinators, dc, intervalMs, probeTimeoutMs, token, topologyFile");
    }

    @Test
    void aWrongTypeNamesTheFieldPath() throws Exception {
        Path file = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                intervalMs: often
                """);
        assertThatThrownBy(() -> AgentConfig.read(file)).hasMessageStartingWith(file + ":6:").hasMessageContaining("intervalMs: ")
                .hasMessageContaining("often");
    }

    @Test
    void missingAndInconsistentValuesAreNamed() throws Exception {
        Path noToken = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                """);
        assertThatThrownBy(() -> AgentConfig.read(noToken)).hasMessageStartingWith(noToken + ":").hasMessageEndingWith("token is missing");

        Path slow = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                intervalMs: 500
                probeTimeoutMs: 500
                """);
        assertThatThrownBy(() -> AgentConfig.read(slow)).hasMessageContaining("probeTimeoutMs must be between 1 and intervalMs (500)");

        Path badUrl = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070, localhost:7070]
                token: t
                """);
        assertThatThrownBy(() -> AgentConfig.read(badUrl)).hasMessageStartingWith(badUrl + ":")
                .hasMessageContaining("'localhost:7070' is not an http(s) URL with a host");
        Path unparsable = write("""
                agentId: a
                dc: east
                topologyFile: lab/topology.json
                coordinators: [127.0.0.1:7070]
                token: t
                """);
        assertThatThrownBy(() -> AgentConfig.read(unparsable)).hasMessageStartingWith(unparsable + ":4:")
                .hasMessageContaining("coordinators[0]: ").hasMessageContaining("127.0.0.1:7070");
    }

    @Test
    void theDcMustBeInTheTopology() throws Exception {
        Path file = write("""
                agentId: a
                dc: north
                topologyFile: lab/topology.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                """);
        assertThatThrownBy(() -> AgentConfig.read(file)).hasMessage(file + ": dc: unknown DC 'north'; "
                + dir.resolve("lab/topology.json") + " has east, west");
        Path missing = write("""
                agentId: a
                dc: east
                topologyFile: nowhere.json
                coordinators: [http://127.0.0.1:7070]
                token: t
                """);
        assertThatThrownBy(() -> AgentConfig.read(missing)).hasMessageStartingWith(missing + ": topologyFile: ")
                .hasMessageContaining("nowhere.json");
    }
}
