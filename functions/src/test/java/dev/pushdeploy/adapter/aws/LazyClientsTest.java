package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.config.Health;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Adapters given a client supplier build no client until a call needs it (a cold start builds only what its path uses). */
class LazyClientsTest {
    /** A client supplier that counts its calls and fails each one, so a test sees when a client would be built. */
    static final class Counting<C> implements Supplier<C> {
        final AtomicInteger built = new AtomicInteger();

        @Override
        public C get() {
            built.incrementAndGet();
            throw new IllegalStateException("client built");
        }
    }

    /** {@code client} is not built until {@code call}, which builds it once (and fails on the build). */
    private static void assertBuiltBy(Counting<?> client, Executable call) {
        assertEquals(0, client.built.get());
        assertThrows(IllegalStateException.class, call);
        assertEquals(1, client.built.get());
    }

    @Test
    void ecrIsBuiltOnTheFirstCall() {
        Counting<software.amazon.awssdk.services.ecr.EcrClient> ecr = new Counting<>();
        EcrRegistry registry = new EcrRegistry(ecr);
        assertBuiltBy(ecr, () -> registry.repositoryUri("web"));
    }

    @Test
    void ssmIsBuiltWhenTheConfigurationIsFirstRead() {
        Counting<software.amazon.awssdk.services.ssm.SsmClient> ssm = new Counting<>();
        SsmConfigSource config = new SsmConfigSource(ssm, "/pushdeploy/config");
        assertBuiltBy(ssm, config::load);
    }

    @Test
    void ecsServicesAndDeploymentsAreBuiltOnTheFirstCall() {
        Counting<software.amazon.awssdk.services.ecs.EcsClient> ecs = new Counting<>();
        SdkEcsServices services = new SdkEcsServices(ecs);
        SdkServiceDeployments deployments = new SdkServiceDeployments(ecs);
        assertBuiltBy(ecs, () -> services.describe("pushdeploy", "web"));
        assertThrows(IllegalStateException.class, () -> deployments.describe("arn:aws:ecs:us-east-1:1:service-deployment/pushdeploy/web/x"));
        assertEquals(2, ecs.built.get());
    }

    @Test
    void theObserverBuildsEcsAndElbOnlyWhenItObserves() {
        Counting<software.amazon.awssdk.services.ecs.EcsClient> ecs = new Counting<>();
        Counting<software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client> elb = new Counting<>();
        SdkRolloutObserver observer = new SdkRolloutObserver(ecs, elb, (url, status) -> null, names -> List.of(), null);
        assertEquals(0, elb.built.get());
        assertBuiltBy(ecs, () -> observer.observe("pushdeploy", "web", Health.DEFAULT));
        assertEquals(0, elb.built.get());
    }
}
