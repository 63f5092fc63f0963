package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.config.Health;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

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

    @Test
    void ecrIsBuiltOnTheFirstCall() {
        Counting<software.amazon.awssdk.services.ecr.EcrClient> ecr = new Counting<>();
        EcrRegistry registry = new EcrRegistry(ecr);
        assertEquals(0, ecr.built.get());
        assertThrows(IllegalStateException.class, () -> registry.repositoryUri("web"));
        assertEquals(1, ecr.built.get());
    }

    @Test
    void ssmIsBuiltWhenTheConfigurationIsFirstRead() {
        Counting<software.amazon.awssdk.services.ssm.SsmClient> ssm = new Counting<>();
        SsmConfigSource config = new SsmConfigSource(ssm, "/pushdeploy/config");
        assertEquals(0, ssm.built.get());
        assertThrows(IllegalStateException.class, config::load);
        assertEquals(1, ssm.built.get());
    }

    @Test
    void ecsServicesAndDeploymentsAreBuiltOnTheFirstCall() {
        Counting<software.amazon.awssdk.services.ecs.EcsClient> ecs = new Counting<>();
        SdkEcsServices services = new SdkEcsServices(ecs);
        SdkServiceDeployments deployments = new SdkServiceDeployments(ecs);
        assertEquals(0, ecs.built.get());
        assertThrows(IllegalStateException.class, () -> services.describe("pushdeploy", "web"));
        assertEquals(1, ecs.built.get());
        assertThrows(IllegalStateException.class, () -> deployments.describe("arn:aws:ecs:us-east-1:1:service-deployment/pushdeploy/web/x"));
        assertEquals(2, ecs.built.get());
    }

    @Test
    void theObserverBuildsEcsAndElbOnlyWhenItObserves() {
        Counting<software.amazon.awssdk.services.ecs.EcsClient> ecs = new Counting<>();
        Counting<software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client> elb = new Counting<>();
        SdkRolloutObserver observer = new SdkRolloutObserver(ecs, elb, (url, status) -> null, names -> List.of(), null);
        assertEquals(0, ecs.built.get());
        assertEquals(0, elb.built.get());
        assertThrows(IllegalStateException.class, () -> observer.observe("pushdeploy", "web", Health.DEFAULT));
        assertEquals(1, ecs.built.get());
        assertEquals(0, elb.built.get());
    }
}
