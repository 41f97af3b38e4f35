package dev.baton.chaos.lab;

import dev.baton.wire.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Labs coming and going: outliving the JVM that started them, side by side, refused, and torn down. */
class LabLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void labOutlivesTheJvmThatStartedItAndDownLeavesNothing() throws Exception {
        Path labDir = dir.resolve("cli");
        Process child = new ProcessBuilder(Java.binary(), "-cp", Java.classpath(), UpAndExit.class.getName(),
                labDir.toString(), "1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
            assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
            System.out.print(Files.readString(dir.resolve("child.log")));
            Lab lab = Lab.attach(labDir).orElseThrow();
            try {
                assertThat(lab.status().allRunning()).as(lab.status().table()).isTrue();
                long haproxy = lab.pidOf("haproxy east");
                assertThat(ProcessHandle.of(haproxy).flatMap(h -> h.info().command()).orElseThrow()).endsWith("/haproxy");
                assertThat(ProcessHandle.of(lab.pidOf("mariadb s1-west")).flatMap(h -> h.info().command()).orElseThrow())
                        .endsWith("/mariadbd");
            } finally {
                List<Long> pids = lab.status().processes().stream().map(LabStatus.Entry::pid).toList();
                List<Endpoint> endpoints = new ArrayList<>(Layout.listeners(lab.topology(), false));
                StandIns standIns = lab.standIns().orElseThrow();
                endpoints.addAll(List.of(standIns.consul(), standIns.notifications()));
                lab.down();
                // down() returns once they have exited; only reaping by init may lag a little behind.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(pids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
                assertThat(endpoints).noneMatch(e -> Ports.isListening(e.host(), e.port()));
                assertThat(Lab.attach(labDir)).isEmpty();
            }
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void anAdoptedProcessIsListedAndStoppedByDownWithTheRest() throws IOException {
        Path labDir = dir.resolve("adopt");
        Lab lab = Lab.up(new LabSpec(labDir, List.of("east"), 1, 0, false));
        try {
            Endpoint endpoint = new Endpoint("127.0.0.1", freeRange(1));
            // A shell that listens nowhere itself; its $0 names a path under the lab dir, which marks it as the lab's.
            List<String> command = List.of("sh", "-c", "while :; do sleep 1; done", labDir.resolve("service").toString());
            LabProcess adopted = lab.adopt("service one", command, endpoint);
            LabProcess noPort = lab.adopt("service two", command, null);

            assertThat(lab.adopt("service one", command, endpoint).pid()).as("adopting a running name again").isEqualTo(adopted.pid());
            LabStatus status = Lab.attach(labDir).orElseThrow().status();
            assertThat(status.allRunning()).as(status.table()).isTrue();
            assertThat(status.processes()).extracting(LabStatus.Entry::name).contains("service one", "service two");
            assertThat(status.table()).containsPattern("service two +" + noPort.pid() + " +- +running");
            assertThat(labDir.resolve("services/service-one.log")).exists();
            assertThatThrownBy(() -> lab.adopt("stranger", List.of("sh", "-c", "sleep 60"), null))
                    .hasMessageContaining("cannot adopt 'stranger'").hasMessageContaining("mentions no path under the lab dir");

            lab.down();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(List.of(adopted.pid(), noPort.pid()))
                    .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        } finally {
            lab.down();
        }
    }

    @Test
    void twoLabsRunSideBySideWithoutSharingAPort() {
        try (Lab first = Lab.up(new LabSpec(dir.resolve("a"), List.of("east", "west"), 1, 0, false));
             Lab second = Lab.up(new LabSpec(dir.resolve("b"), List.of("east", "west"), 1, 0, false))) {
            Set<String> firstPorts = new HashSet<>();
            Layout.listeners(first.topology(), true).forEach(e -> firstPorts.add(e.toString()));
            assertThat(Layout.listeners(second.topology(), true)).noneMatch(e -> firstPorts.contains(e.toString()));
            assertThat(first.status().allRunning()).isTrue();
            assertThat(second.status().allRunning()).isTrue();
        }
    }

    @Test
    void explicitBasePortInUseIsRefusedAndStartsNothing() throws IOException {
        int base = freeRange(40);
        // Port order: DNS, DNS API, ZooKeeper, checkout, east HAProxy runtime, then s1-east's mariadbd.
        int taken = base + 5;
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.1.1"), taken));
            Path labDir = dir.resolve("taken");
            assertThatThrownBy(() -> Lab.up(new LabSpec(labDir, List.of("east", "west"), 2, base, false)))
                    .isInstanceOf(LabException.class)
                    .hasMessageContaining("127.0.1.1:" + taken).hasMessageContaining("in use");
            assertThat(Lab.attach(labDir)).isEmpty();
            for (int port = base; port < base + 40; port++) {
                if (port != taken) assertThat(Ports.isListening("127.0.0.1", port)).as("port %d", port).isFalse();
            }
        }
    }

    @Test
    void explicitBasePortIsUsedInOrder() {
        int base = freeRange(40);
        try (Lab lab = Lab.up(new LabSpec(dir.resolve("fixed"), List.of("east"), 1, base, false))) {
            assertThat(lab.topology().dns().server().port()).isEqualTo(base);
            assertThat(lab.topology().zookeeper().port()).isEqualTo(base + 2);
            assertThat(lab.topology().datacenters().getFirst().checkoutFrontend().endpoint().port()).isEqualTo(base + 4);
            assertThat(lab.topology().shard("s1").orElseThrow().servers().getFirst().endpoint().port()).isEqualTo(base + 6);
        }
    }

    /** A run of ports free on every lab address, so the test does not fight a lab that is already running. */
    private static int freeRange(int length) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            List<Boolean> free = new ArrayList<>();
            for (int port = base; port < base + length; port++) {
                for (String address : List.of("127.0.0.1", "127.0.1.1", "127.0.2.1")) free.add(Ports.isFree(address, port, true));
            }
            if (!free.contains(false)) return base;
        }
        throw new IllegalStateException("no free range of " + length + " ports");
    }
}
