package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.rollout.FakeServiceDeployments;
import dev.pushdeploy.rollout.InMemoryHookRecords;
import dev.pushdeploy.rollout.InMemoryRolloutWatches;
import dev.pushdeploy.rollout.RolloutFixtures;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceDeployments;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle hook across the steps of a LINEAR (or CANARY) deployment, with the {@code hookDetails} ECS hands it as the
 * ECS developer guide describes them (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.md):
 *
 * <ul>
 *   <li>"For linear and canary deployments, Lambda hooks configured at PRODUCTION_TRAFFIC_SHIFT ... are invoked at each
 *       traffic shift step."</li>
 *   <li>"When your function returns IN_PROGRESS, you can also include hookDetails in the response. Amazon ECS merges this
 *       data and passes it back on the next invocation."</li>
 *   <li>"Data added to hookDetails at runtime only persists between invocations of the same hook within a single
 *       deployment."</li>
 * </ul>
 *
 * <p>So the counters the hook left at one step (its stage name, {@code since}) come back at every later step of the same
 * stage name: the hook cannot tell step 3 from a re-invocation of step 1.
 */
class LifecycleHookShiftStepsTest {
    static final String REV2 = RolloutFixtures.REV2_ARN;
    static final String CONFIG = """
            {"targets": [{"repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
              "health": {"expectedStatus": 200, "deadlineSeconds": 600},
              "strategy": {"type": "LINEAR", "testUrl": "http://alb.example/health", "testHeader": "X-Pushdeploy-Test",
                           "testHeaderValue": "f00d"}}]}""";
    static final String BLUE = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/0";

    final PipelineConfig config = ConfigParser.parse(CONFIG);
    final FakeServiceDeployments deployments = new FakeServiceDeployments();
    final AtomicBoolean throttled = new AtomicBoolean();
    final MutableClock clock = new MutableClock(RolloutFixtures.NOW.plusSeconds(60));

    LifecycleHookHandler handler() {
        ServiceDeployments throttling = new ServiceDeployments() {
            @Override
            public Optional<ServiceDeploymentState> find(String cluster, String service, String taskDefinition, long since) {
                return deployments.find(cluster, service, taskDefinition, since);
            }

            @Override
            public Optional<ServiceDeploymentState> describe(String arn) {
                if (throttled.get()) {
                    throw new TransientException("ecs:DescribeServiceDeployments " + arn + " failed transiently: Rate exceeded", null);
                }
                return deployments.describe(arn);
            }

            @Override
            public boolean rollBack(String arn) {
                return deployments.rollBack(arn);
            }
        };
        ConfigSource source = ConfigSource.of(config);
        AlarmStates noAlarms = names -> List.of();
        return new LifecycleHookHandler(source, throttling, (cluster, service, health) -> LifecycleHookHandlerTest.snapshot(),
                (url, expected, headers) -> new RolloutSnapshot.SmokeResult(true, "GET " + url + " answered 200"), noAlarms,
                new InMemoryHookRecords(), new InMemoryRolloutWatches(), clock);
    }

    /** ECS's PRODUCTION_TRAFFIC_SHIFT payload of one step: the green revision at {@code green} %, the blue at the rest. */
    static String step(ServiceDeploymentState d, double green, String hookDetails) {
        String weights = "{\"" + d.targetRevisionArn() + "\": " + green + ", \"" + BLUE + "\": " + (100 - green) + "}";
        return LifecycleHookHandlerTest.payload(d, "PRODUCTION_TRAFFIC_SHIFT", weights, hookDetails);
    }

    /**
     * Step 1 (20 %) is asked again once because DescribeServiceDeployments was throttled, then succeeds; ECS keeps the
     * hookDetails of that IN_PROGRESS answer. Twelve minutes later (two 6-minute step bakes) step 3 (60 %) meets one more
     * throttle: its first wait. The hook reads step 1's {@code since} as its own and fails at once - "still waiting ...
     * after 600 s" - so ECS rolls a healthy LINEAR deployment back on a single throttled call.
     */
    @Test
    void aLaterLinearStepStartsItsOwnWaitInsteadOfInheritingTheFirstStepsClock() {
        ServiceDeploymentState d = deployments.add(REV2, "IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", RolloutFixtures.NOW.toEpochMilli());
        LifecycleHookHandler hook = handler();

        throttled.set(true);
        JsonNode waiting = LifecycleHookHandlerTest.invoke(hook, step(d, 20, null));
        assertEquals("IN_PROGRESS", waiting.path("hookStatus").asText(), waiting.toString());
        String kept = waiting.path("hookDetails").toString();

        clock.advance(Duration.ofSeconds(10));
        throttled.set(false);
        assertEquals("SUCCEEDED", LifecycleHookHandlerTest.invoke(hook, step(d, 20, kept)).path("hookStatus").asText());

        clock.advance(Duration.ofMinutes(6));
        assertEquals("SUCCEEDED", LifecycleHookHandlerTest.invoke(hook, step(d, 40, kept)).path("hookStatus").asText());

        clock.advance(Duration.ofMinutes(6));
        throttled.set(true);
        JsonNode third = LifecycleHookHandlerTest.invoke(hook, step(d, 60, kept));

        assertEquals("IN_PROGRESS", third.path("hookStatus").asText(),
                "step 3 (60 %) of a LINEAR deployment met its first throttled call and should be asked again, but the hook "
                        + "read the hookDetails ECS keeps for the whole deployment (stage PRODUCTION_TRAFFIC_SHIFT, since = step 1's "
                        + "first wait 12 min ago) as this step's own wait and answered " + third
                        + ": ECS rolls a healthy deployment back. The counters are keyed by the stage name only, which every step of "
                        + "LINEAR/CANARY shares.");
    }
}
