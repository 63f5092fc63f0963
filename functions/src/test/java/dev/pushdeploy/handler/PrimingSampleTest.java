package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.request.ExecutionIntents;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Intent;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.testing.SampleStack;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What priming's sample lets the steps that move the service do, and only while priming. */
class PrimingSampleTest {
    private final Target target = ConfigParser.parse(SampleStack.configDocument(null)).targets().get(0);

    @Test
    void onlyAThreadThatIsPrimingCountsAsTheLocksHolderAndTheLockIsReadFirst() {
        List<String> read = new ArrayList<>();
        DeploymentStarter.Ownership none = request -> read.add(request.requestId()) && false;
        DeploymentStarter.Ownership ownership = PrimingSample.orWhilePriming(none);
        PrimingSample sample = PrimingSample.of(target, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", Clock.systemUTC());

        assertFalse(ownership.holds(sample.request()), "outside priming the lock's answer stands");
        boolean[] whilePriming = {false};
        Priming.dryRun(() -> whilePriming[0] = ownership.holds(sample.request()));
        assertTrue(whilePriming[0]);
        assertFalse(ownership.holds(sample.request()), "and again once priming is over");
        assertEquals(List.of(PrimingSample.REQUEST_ID, PrimingSample.REQUEST_ID, PrimingSample.REQUEST_ID), read, "the lock is read every time");
    }

    @Test
    void theOtherRevisionIsTheLiveFamilysNextNumber() {
        assertEquals("web:8", PrimingSample.of(target, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", Clock.systemUTC())
                .otherRevision());
        assertNull(PrimingSample.of(target, null, Clock.systemUTC()).otherRevision());
    }

    @Test
    void onlyWhilePrimingDoesThePrimingExecutionAskForADeployOfTheSampleImageOnceStepFunctionsRefusedIt() {
        List<String> read = new ArrayList<>();
        ExecutionIntents refusing = arn -> {
            read.add(arn);
            throw new AwsFailureException("states:DescribeExecution " + arn + " failed: AccessDeniedException: not authorized", null);
        };
        ExecutionIntents intents = PrimingSample.orWhilePriming(refusing, ConfigSource.of(ConfigParser.parse(SampleStack.configDocument(null))));
        String other = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:push-web-v1";

        assertThrows(AwsFailureException.class, () -> intents.intent(PrimingSample.EXECUTION_ARN), "outside priming the refusal stands");
        Intent primed = whilePriming(() -> intents.intent(PrimingSample.EXECUTION_ARN));
        Intent.Deploy deploy = assertInstanceOf(Intent.Deploy.class, primed);
        assertEquals(target.repository(), deploy.image().repository());
        assertEquals(PrimingSample.DIGEST, deploy.image().digest());
        assertThrows(AwsFailureException.class, () -> whilePriming(() -> intents.intent(other)), "another execution's refusal stands");
        assertEquals(List.of(PrimingSample.EXECUTION_ARN, PrimingSample.EXECUTION_ARN, other), read, "Step Functions is asked every time");
    }

    @Test
    void onlyWhilePrimingIsTheSampleImageFoundWhereTheRegistryHasNone() {
        ImageRegistry empty = new ImageRegistry() {
            @Override
            public Optional<String> repositoryUri(String repository) {
                return Optional.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/" + repository);
            }

            @Override
            public Optional<Image> image(String repository, String reference) {
                return Optional.empty();
            }
        };
        ImageRegistry registry = PrimingSample.orWhilePriming(empty);

        assertTrue(registry.image(target.repository(), PrimingSample.DIGEST).isEmpty(), "outside priming");
        assertEquals(PrimingSample.DIGEST, whilePriming(() -> registry.image(target.repository(), PrimingSample.DIGEST)).orElseThrow().digest());
        assertTrue(whilePriming(() -> registry.image(target.repository(), "sha256:" + "1".repeat(64))).isEmpty(), "another image");
        assertEquals(empty.repositoryUri("web"), registry.repositoryUri("web"));
    }

    private static <T> T whilePriming(Supplier<T> call) {
        List<T> result = new ArrayList<>();
        Priming.dryRun(() -> result.add(call.get()));
        return result.get(0);
    }
}
