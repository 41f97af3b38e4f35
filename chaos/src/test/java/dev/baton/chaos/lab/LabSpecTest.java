package dev.baton.chaos.lab;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabSpecTest {
    @Test
    void defaultsAreTwoDcsTwoShardsFreePorts() {
        LabSpec spec = LabSpec.defaults(Path.of("lab"));
        assertThat(spec.dcs()).containsExactly("east", "west");
        assertThat(spec.shards()).isEqualTo(2);
        assertThat(spec.basePort()).isZero();
        assertThat(spec.dir()).isAbsolute();
        assertThat(spec.addressOf(0)).isEqualTo("127.0.1.1");
        assertThat(spec.addressOf(1)).isEqualTo("127.0.2.1");
    }

    @Test
    void badSpecsAreRefusedByName() {
        Path dir = Path.of("/tmp/x");
        assertThatThrownBy(() -> new LabSpec(dir, List.of("east", "east"), 2, 0, false)).hasMessageContaining("repeat");
        assertThatThrownBy(() -> new LabSpec(dir, List.of(), 2, 0, false)).hasMessageContaining("at least one DC");
        assertThatThrownBy(() -> new LabSpec(dir, List.of("East DC"), 2, 0, false)).hasMessageContaining("'East DC'");
        assertThatThrownBy(() -> new LabSpec(dir, List.of("east"), 0, 0, false)).hasMessageContaining("shards");
        assertThatThrownBy(() -> new LabSpec(dir, List.of("east"), 1, 80, false)).hasMessageContaining("basePort");
    }

    @Test
    void missingBinaryIsNamedWithTheInstallLine() {
        assertThatThrownBy(() -> Binaries.requireInstalled(List.of("/usr/sbin/haproxy", "/usr/sbin/no-such-pdns")))
                .isInstanceOf(LabException.class)
                .hasMessageContaining("/usr/sbin/no-such-pdns")
                .hasMessageNotContaining("/usr/sbin/haproxy,")
                .hasMessageContaining("apt-get install -y mariadb-server-core haproxy pdns-server pdns-backend-sqlite3");
    }

    @Test
    void layoutGivesEveryShardAPrimaryInTheFirstDc() {
        var topology = Layout.plan(LabSpec.defaults(Path.of("/tmp/x"))).topology();
        assertThat(topology.shards()).allSatisfy(shard -> {
            assertThat(shard.recordedPrimary().orElseThrow().dc()).isEqualTo("east");
            assertThat(shard.serverIn("west").orElseThrow().role()).isEqualTo(dev.baton.wire.Role.REPLICA);
        });
        assertThat(topology.datacenters()).allSatisfy(dc ->
                assertThat(dc.frontends()).extracting(f -> f.writerBackend() + "/" + f.writerServer())
                        .containsExactly("w_s1/db", "w_s2/db"));
        assertThat(topology.datacenters().get(0).checkoutApp().port()).isEqualTo(topology.datacenters().get(1).checkoutApp().port());
        // The checkout frontend: the same port on every DC's address (one A record serves), never the app's port.
        var east = topology.datacenters().get(0);
        var west = topology.datacenters().get(1);
        assertThat(east.checkoutFrontend().endpoint().port()).isEqualTo(west.checkoutFrontend().endpoint().port())
                .isNotEqualTo(east.checkoutApp().port());
        assertThat(east.checkoutFrontend().endpoint().host()).isEqualTo(east.address());
        assertThat(west.checkoutEntry()).isEqualTo(west.checkoutFrontend().endpoint());
        assertThat(Haproxy.config(topology, west))
                .contains("backend b_checkout\n    mode http\n")
                .contains("server east " + east.checkoutApp() + " weight 0\n")
                .contains("server west " + west.checkoutApp() + " weight 100\n");
    }
}
