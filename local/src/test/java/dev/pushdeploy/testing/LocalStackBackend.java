package dev.pushdeploy.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack through Testcontainers, chosen with {@code PUSHDEPLOY_TEST_BACKEND=localstack} where Docker runs. */
final class LocalStackBackend {
    private LocalStackBackend() {
    }

    static Emulator start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("PUSHDEPLOY_TEST_BACKEND=localstack needs a Docker engine; none is reachable");
        }
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.0"));
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
        return Emulator.localStack(container.getEndpoint());
    }
}
