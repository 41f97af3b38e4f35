package dev.baton.orchestrator.consul;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/** Runs a Testcontainers test only where a Docker engine answers; elsewhere it is reported "skipped: no Docker". */
final class RequiresDocker implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return DockerClientFactory.instance().isDockerAvailable()
                ? ConditionEvaluationResult.enabled("a Docker engine answers")
                : ConditionEvaluationResult.disabled("skipped: no Docker");
    }
}
