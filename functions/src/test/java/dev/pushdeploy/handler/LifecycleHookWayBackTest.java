package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.rollout.InMemoryHookRecords;
import dev.pushdeploy.rollout.InMemoryRolloutWatches;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceDeployments;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The hook on ECS's way back, as the ECS developer guide describes it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md, "Lifecycle hooks during
 * rollback"): "When a rollback occurs, Amazon ECS re-invokes hooks registered at the PRODUCTION_TRAFFIC_SHIFT and
 * TEST_TRAFFIC_SHIFT stages ... During a rollback, the productionTrafficWeights in the payload show traffic shifting back
 * to the blue revision." - "To determine whether your hook is being invoked during a rollback, check the
 * productionTrafficWeights. If the targetServiceRevisionArn (green revision) has a weight of 0% and the other revision has
 * 100%, the deployment is rolling back."
 */
class LifecycleHookWayBackTest {
    static final String BLUE = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/0";
    static final String GREEN = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/1";
    static final String DEPLOYMENT = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/sd1";

    /**
     * ECS rolls back (the hook failed at POST_TEST_TRAFFIC_SHIFT, an alarm fired, an operator stopped the deployment) and
     * invokes the PRODUCTION_TRAFFIC_SHIFT hook with the green revision at 0 % and the blue at 100 %, while
     * DescribeServiceDeployments is throttled. The payload alone says it is the way back, which LifecycleHook promises never
     * to hold up; the hook only trusts DescribeServiceDeployments' status, cannot read it, and answers IN_PROGRESS: the
     * rollback (production traffic going back to the revision that works) waits as long as the throttling lasts, and once
     * the stage's deadline has passed since its hookDetails' {@code since} the hook answers FAILED on the way back.
     */
    @Test
    void theWayBackIsRecognisedFromThePayloadWeightsWhenEcsCannotBeAsked() {
        ServiceDeployments throttled = new ServiceDeployments() {
            @Override
            public Optional<ServiceDeploymentState> find(String cluster, String service, String taskDefinition, long since) {
                throw new TransientException("ecs:ListServiceDeployments failed transiently: Rate exceeded", null);
            }

            @Override
            public Optional<ServiceDeploymentState> describe(String arn) {
                throw new TransientException("ecs:DescribeServiceDeployments " + arn + " failed transiently: Rate exceeded", null);
            }

            @Override
            public boolean rollBack(String arn) {
                throw new TransientException("ecs:StopServiceDeployment failed transiently: Rate exceeded", null);
            }
        };
        PipelineConfig config = ConfigParser.parse(LifecycleHookHandlerTest.CONFIG);
        ConfigSource source = ConfigSource.of(config);
        LifecycleHookHandler hook = new LifecycleHookHandler(source, throttled, (cluster, service, health) -> LifecycleHookHandlerTest.snapshot(),
                (url, expected, headers) -> new RolloutSnapshot.SmokeResult(true, "GET " + url + " answered 200"), names -> List.of(),
                new InMemoryHookRecords(), new InMemoryRolloutWatches(), RolloutFixtures.clockAt(RolloutFixtures.NOW.plusSeconds(60)));
        ServiceDeploymentState d = new ServiceDeploymentState(DEPLOYMENT, "ROLLBACK_IN_PROGRESS", null, "PRODUCTION_TRAFFIC_SHIFT",
                GREEN, RolloutFixtures.REV2_ARN, 0.0, 0.0, null, List.of(), RolloutFixtures.NOW.toEpochMilli());
        String wayBack = "{\"" + GREEN + "\": 0, \"" + BLUE + "\": 100}";

        JsonNode answer = LifecycleHookHandlerTest.invoke(hook, LifecycleHookHandlerTest.payload(d, "PRODUCTION_TRAFFIC_SHIFT", wayBack, null));

        assertEquals("SUCCEEDED", answer.path("hookStatus").asText(),
                "ECS invoked the PRODUCTION_TRAFFIC_SHIFT hook on its way back (payload: the target revision at 0 %, the other "
                        + "at 100 %, AWS's documented sign of a rollback) but the hook, unable to read DescribeServiceDeployments, "
                        + "answered " + answer + ": the rollback is held up while ECS throttles (and answered FAILED once the "
                        + "stage's deadline has passed)");
    }
}
