package dev.baton.orchestrator.consul;

import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.consul.ConsulContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same scenarios against the real {@code hashicorp/consul} image: runs where Docker exists, and is
 * reported "skipped: no Docker" where it does not, such as this project's machines.
 */
@ExtendWith(RequiresDocker.class)
@Testcontainers
class ConsulDirectorContainerTest extends ConsulDirectorScenarios {
    @Container
    static final ConsulContainer CONSUL = new ConsulContainer("hashicorp/consul:1.20.2");

    @Override
    String consulUrl() {
        return "http://" + CONSUL.getHost() + ":" + CONSUL.getMappedPort(8500);
    }
}
