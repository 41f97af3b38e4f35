package dev.baton.orchestrator.consul;

import dev.baton.chaos.consul.ConsulStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The director's scenarios against {@link ConsulStandIn} on a free loopback port (no Consul server can be installed here). */
class ConsulDirectorAgainstConsulStandInTest extends ConsulDirectorScenarios {
    static ConsulStandIn standIn;

    @BeforeAll
    static void start() {
        standIn = ConsulStandIn.start("127.0.0.1");
    }

    @AfterAll
    static void stop() {
        if (standIn != null) standIn.close();
    }

    @Override
    String consulUrl() {
        return standIn.url();
    }

    @Test
    void theKeySentWithEncodedSlashesIsStoredWithSlashes() {
        try (ConsulDirector consul = director()) {
            consul.activate(ActiveDc.allIn(topology, "east", "f-1", Instant.now()));
            assertThat(standIn.keys()).contains("baton/" + name + "/active");
        }
    }

    @Test
    void aCallTheStandInDoesNotImplementFailsLoudly() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(standIn.url() + "/v1/kv/a?recurse")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(501);
        assertThat(response.body()).contains("does not implement GET /v1/kv/a");
    }

    @Test
    void aConsulThatIsNotThereIsNamedInTheError() {
        ConsulStandIn gone = ConsulStandIn.start("127.0.0.1");
        String url = gone.url();
        gone.close();
        try (ConsulDirector consul = new ConsulDirector(ConsulTarget.forTopology(url, name), topology)) {
            assertThatThrownBy(consul::current).isInstanceOf(ConsulDirectorException.class)
                    .hasMessageContaining("Consul at " + url + " could not read key baton/" + name + "/active")
                    .hasMessageContaining("Connect");
        }
    }
}
