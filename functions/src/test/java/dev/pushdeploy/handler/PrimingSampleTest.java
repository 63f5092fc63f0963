package dev.pushdeploy.handler;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SdkServiceDeployments;
import dev.pushdeploy.adapter.aws.SfnExecutions;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.ledger.RunHistory;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.request.ImageRegistry;
import dev.pushdeploy.request.Intent;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.DeploymentStarter;
import dev.pushdeploy.rollout.ServiceDeploymentState;
import dev.pushdeploy.rollout.ServiceState;
import dev.pushdeploy.testing.SampleStack;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/** What priming's sample lets the steps do, and reads in their stead, only while priming. */
class PrimingSampleTest {
    private static final String LIVE = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";
    private final Target target = ConfigParser.parse(SampleStack.configDocument(null)).targets().get(0);
    private final PrimingSample sample = PrimingSample.of(target, LIVE, Clock.systemUTC());

    @Test
    void onlyAThreadThatIsPrimingCountsAsTheLocksHolderAndTheLockIsReadFirst() {
        List<String> read = new ArrayList<>();
        DeploymentStarter.Ownership none = request -> read.add(request.requestId()) && false;
        DeploymentStarter.Ownership ownership = PrimingSample.orWhilePriming(none);

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
    void whilePrimingTheRealAdaptersReadThePrimingExecutionAndTheSampleImageFromTheStandInsWithoutLeavingTheProcess() {
        SfnExecutions executions = new SfnExecutions(() -> client(SfnClient.builder()));
        EcrRegistry registry = new EcrRegistry(() -> client(EcrClient.builder()));
        List<Object> read = new ArrayList<>();
        Priming.Counts counts = Priming.dryRun(() -> sample.prime(() -> {
            read.add(executions.intent(PrimingSample.EXECUTION_ARN));
            read.add(executions.lastState(PrimingSample.EXECUTION_ARN).orElseThrow());
            read.add(registry.image(target.repository(), PrimingSample.DIGEST).orElseThrow());
        }), PrimingSample::standIn);

        assertEquals(new Priming.Counts(0, 3), counts, "answered in process (the endpoint refuses connections)");
        Intent.Deploy deploy = assertInstanceOf(Intent.Deploy.class, read.get(0), "Prepare reads a manual deploy of the sample image");
        assertEquals(target.repository(), deploy.image().repository());
        assertEquals(PrimingSample.DIGEST, deploy.image().digest());
        RunHistory.LastState last = (RunHistory.LastState) read.get(1);
        assertEquals("CheckDeployment", last.state());
        assertEquals(PrimingSample.REQUEST_ID, last.document().request().requestId());
        assertEquals(Decision.PROCEED, last.document().request().decision());
        assertEquals(new LockResult(LockStatus.ACQUIRED, PrimingSample.REQUEST_ID, "SnapStart priming"), last.document().lock());
        assertEquals(LIVE, last.document().rollout().taskDefinition(), "the rollout moved the service onto its live revision");
        assertEquals(LIVE, last.document().release().taskDefinition());
        assertEquals("web:6", last.document().request().previousTaskDefinition(), "from the one before");
        assertNull(last.document().result(), "no outcome yet: the reconciler decides it");
        ImageRegistry.Image image = (ImageRegistry.Image) read.get(2);
        assertEquals(PrimingSample.DIGEST, image.digest());
        assertEquals(sample.request().startedAt(), image.pushedAt().toEpochMilli());
    }

    /** ScanEvents' whole path while priming: a run waits for the sample image's scan, which is complete; it is resumed. */
    @Test
    void whilePrimingTheSampleImagesScanIsCompleteAndARunWaitsForItWithoutLeavingTheProcess() {
        Target gated = ConfigParser.parse(SampleStack.configDocument("HIGH")).targets().get(0);
        PrimingSample scanned = PrimingSample.of(gated, LIVE, Clock.systemUTC());
        DynamoScanWatches watches = new DynamoScanWatches(() -> client(DynamoDbClient.builder()), "pushdeploy");
        EcrRegistry registry = new EcrRegistry(() -> client(EcrClient.builder()));
        List<Object> read = new ArrayList<>();
        Priming.Counts counts = Priming.dryRun(() -> scanned.prime(() -> {
            read.add(watches.find(gated.repository()));
            read.add(registry.scan(gated.repository(), PrimingSample.DIGEST).orElseThrow());
        }), PrimingSample::standIn);

        assertEquals(new Priming.Counts(0, 2), counts, "answered in process (the endpoint refuses connections)");
        @SuppressWarnings("unchecked")
        List<ScanWatch> waiting = (List<ScanWatch>) read.get(0);
        assertEquals(1, waiting.size());
        assertEquals(scanned.request(), waiting.get(0).request());
        assertTrue(waiting.get(0).request().scanGate(), "the gate applies to the sample of a gated service");
        assertEquals(new ScanFindings.ScanReport("COMPLETE", "The scan was completed successfully.", Map.of()), read.get(1));
    }

    @Test
    void whilePrimingTheMoveOfTheSamplesServiceIsAnsweredAsEcsAnswersADeploymentStart() {
        SdkEcsServices ecs = new SdkEcsServices(() -> client(EcsClient.builder()));
        List<ServiceState> moved = new ArrayList<>();
        Priming.Counts counts = Priming.dryRun(() -> sample.prime(() -> {
            moved.add(ecs.update(target.cluster(), target.service(), sample.otherRevision(), null));
            moved.add(ecs.update(target.cluster(), target.service(), LIVE, 0));
        }), PrimingSample::standIn);

        assertEquals(new Priming.Counts(0, 2), counts);
        assertEquals("web:8", moved.get(0).taskDefinition());
        assertEquals(List.of("PRIMARY"), moved.get(0).deployments().stream().map(Deployment::status).toList());
        assertEquals("IN_PROGRESS", moved.get(0).deployments().get(0).rolloutState());
        assertEquals(target.desiredCount(), moved.get(0).desiredCount());
        assertEquals(LIVE, moved.get(1).taskDefinition());
        assertEquals(0, moved.get(1).desiredCount(), "the count asked for");
        assertThrows(AwsFailureException.class, () -> Priming.dryRun(() -> sample.prime(() -> ecs.update(target.cluster(), "other", LIVE, null)),
                PrimingSample::standIn), "another service's move is answered empty, as any write while priming");
    }

    @Test
    void whilePrimingThePrimingsOwnServiceDeploymentIsReadAsEcsShowsOneAfterTestTrafficMoved() {
        SdkServiceDeployments deployments = new SdkServiceDeployments(() -> client(EcsClient.builder()));
        List<ServiceDeploymentState> read = new ArrayList<>();
        Priming.Counts counts = Priming.dryRun(() -> sample.prime(() -> read.add(deployments.describe(sample.serviceDeploymentArn())
                .orElseThrow())), PrimingSample::standIn);

        assertEquals(new Priming.Counts(0, 2), counts, "DescribeServiceDeployments and DescribeServiceRevisions, in process");
        ServiceDeploymentState deployment = read.get(0);
        assertEquals("arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/" + PrimingSample.REQUEST_ID,
                deployment.arn());
        assertEquals(sample.serviceRevisionArn(), deployment.targetRevisionArn());
        assertEquals(LIVE, deployment.targetTaskDefinition(), "onto the live revision");
        assertEquals("IN_PROGRESS", deployment.status());
        assertEquals("POST_TEST_TRAFFIC_SHIFT", deployment.stage());
        assertEquals(100.0, deployment.testPercent());
        assertFalse(deployment.rollingBack());
        assertNull(PrimingSample.of(target, null, Clock.systemUTC()).serviceDeploymentArn(), "none without a live revision");
    }

    @Test
    void nothingIsStoodInOutsideASamplesDryRunNorForAnotherExecutionOrImage() {
        String describe = "{\"executionArn\":\"" + PrimingSample.EXECUTION_ARN + "\"}";
        assertTrue(PrimingSample.standIn("DescribeExecution", describe).isEmpty());
        List<Optional<String>> answers = new ArrayList<>();
        sample.prime(() -> answers.add(PrimingSample.standIn("DescribeExecution", describe)));
        Priming.dryRun(() -> answers.add(PrimingSample.standIn("DescribeExecution", describe)));
        Priming.dryRun(() -> sample.prime(() -> {
            answers.add(PrimingSample.standIn("DescribeExecution", describe.replace(PrimingSample.REQUEST_ID, "push-web-v1")));
            answers.add(PrimingSample.standIn("DescribeImages", "{\"imageIds\":[{\"imageDigest\":\"sha256:" + "1".repeat(64) + "\"}]}"));
            answers.add(PrimingSample.standIn("StopExecution", describe));
            answers.add(PrimingSample.standIn("DescribeExecution", describe));
        }));
        assertEquals(List.of(true, true, true, true, true, false), answers.stream().map(Optional::isEmpty).toList());
    }

    private static <C, B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>> C client(B builder) {
        return builder.httpClient(Aws.http()).region(Region.US_EAST_1).endpointOverride(URI.create("http://localhost:1"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
    }

    @Test
    void theSampleIsCurrentOnlyWhereItPrimesOnAThreadThatIsPriming() {
        assertTrue(PrimingSample.current().isEmpty());
        boolean[] seen = new boolean[3];
        sample.prime(() -> seen[0] = PrimingSample.current().isPresent());
        Priming.dryRun(() -> seen[1] = PrimingSample.current().isPresent());
        Priming.dryRun(() -> sample.prime(() -> seen[2] = PrimingSample.current().orElseThrow() == sample));
        assertFalse(seen[0], "priming's sample on a thread whose requests reach AWS");
        assertFalse(seen[1], "a dry run without a sample");
        assertTrue(seen[2]);
        assertTrue(PrimingSample.current().isEmpty(), "and none once priming is over");
    }

}
