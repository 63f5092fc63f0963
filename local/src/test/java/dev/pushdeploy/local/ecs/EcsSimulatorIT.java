package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageStatus;
import software.amazon.awssdk.services.ecr.model.TargetStorageClass;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Deployment;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/** The simulator through the local endpoint, as the handlers' SDK clients see it. */
class EcsSimulatorIT {
    LocalRuntime runtime;
    StackOutputs.Service web;
    EcsClient ecs;
    ElasticLoadBalancingV2Client elb;

    @BeforeEach
    void freshStack() {
        runtime = TestRuntime.fresh();
        web = runtime.stack().service();
        ecs = runtime.clients().build(EcsClient.builder());
        elb = runtime.clients().build(ElasticLoadBalancingV2Client.builder());
    }

    @Test
    void updateServiceStartsANewPrimaryDeploymentThatConvergesWithHealthyTargets() throws InterruptedException {
        String revision2 = registerCopy();
        Service updated = ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(revision2)).service();
        Deployment ours = updated.deployments().get(0);
        assertEquals("PRIMARY", ours.status());
        assertEquals(revision2, ours.taskDefinition());
        assertEquals("IN_PROGRESS", ours.rolloutStateAsString());
        assertEquals(web.initialTaskDefinition(), updated.deployments().get(1).taskDefinition());

        Service done = awaitCompleted();
        assertEquals(1, done.deployments().size());
        assertEquals(ours.id(), done.deployments().get(0).id());
        assertEquals(2, done.runningCount());
        assertEquals(revision2, done.taskDefinition());

        List<String> running = ecs.listTasks(r -> r.cluster("pushdeploy").serviceName("web").desiredStatus(DesiredStatus.RUNNING))
                .taskArns();
        List<Task> tasks = ecs.describeTasks(r -> r.cluster("pushdeploy").tasks(running)).tasks();
        assertEquals(2, tasks.size());
        for (Task task : tasks) {
            assertEquals(ours.id(), task.startedBy());
            assertEquals("RUNNING", task.lastStatus());
            assertEquals("app", task.containers().get(0).name());
        }
        List<String> ips = tasks.stream().map(t -> t.attachments().get(0).details().stream()
                .filter(d -> d.name().equals("privateIPv4Address")).findFirst().orElseThrow().value()).sorted().toList();
        List<TargetHealthDescription> targets = elb.describeTargetHealth(r -> r.targetGroupArn(web.targetGroupArn()))
                .targetHealthDescriptions();
        assertEquals(ips, targets.stream().map(t -> t.target().id()).sorted().toList());
        assertTrue(targets.stream().allMatch(t -> t.targetHealth().stateAsString().equals("healthy")));
        assertEquals(2, ecs.listTasks(r -> r.cluster("pushdeploy").serviceName("web").desiredStatus(DesiredStatus.STOPPED))
                .taskArns().size());
    }

    @Test
    void theServiceNamesItsCurrentServiceDeploymentWhichDescribesTheMove() {
        String revision2 = registerCopy();
        Service updated = ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(revision2)).service();
        String arn = updated.currentServiceDeployment();
        assertTrue(arn != null && arn.startsWith("arn:aws:ecs:"), "currentServiceDeployment " + arn);
        var described = ecs.describeServiceDeployments(r -> r.serviceDeploymentArns(arn)).serviceDeployments();
        assertEquals(1, described.size());
        String revision = described.get(0).targetServiceRevision().arn();
        assertEquals(revision2, ecs.describeServiceRevisions(r -> r.serviceRevisionArns(revision)).serviceRevisions().get(0)
                .taskDefinition());
        assertEquals(arn, ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0)
                .currentServiceDeployment());
    }

    /** As ECS: a service is not moved to a deregistered revision (the API reference of DeregisterTaskDefinition); moto would. */
    @Test
    void updateServiceToADeregisteredRevisionIsRefusedAndMovesNothing() {
        String revision2 = registerCopy();
        ecs.deregisterTaskDefinition(r -> r.taskDefinition(revision2));
        EcsException e = assertThrows(EcsException.class,
                () -> ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(revision2)));
        assertEquals("InvalidParameterException", e.awsErrorDetails().errorCode());
        assertEquals("TaskDefinition is inactive", e.awsErrorDetails().errorMessage());
        assertEquals(400, e.statusCode());
        Service service = ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0);
        assertEquals(web.initialTaskDefinition(), service.taskDefinition());
        assertEquals(1, service.deployments().size());
        ecs.deregisterTaskDefinition(r -> r.taskDefinition(web.initialTaskDefinition()));
        ecs.updateService(r -> r.cluster("pushdeploy").service("web").desiredCount(3));
        assertEquals(3, ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).desiredCount(),
                "a service on a deregistered revision still scales");
    }

    /**
     * As ECS's API reference of DeleteTaskDefinitions says: a deleted revision a service runs is DELETE_IN_PROGRESS, still
     * described, until no deployment or task of the service uses it; then it is gone. One nothing uses is gone at once.
     * moto alone deletes both at once.
     */
    @Test
    void aDeletedRevisionIsDescribedUntilTheServiceNoLongerUsesIt() throws InterruptedException {
        String live = web.initialTaskDefinition();
        String unused = registerCopy();
        String next = registerCopy();
        for (String arn : List.of(live, unused)) {
            ecs.deregisterTaskDefinition(r -> r.taskDefinition(arn));
        }

        var deleted = ecs.deleteTaskDefinitions(r -> r.taskDefinitions(live, unused));

        assertEquals(List.of(), deleted.failures());
        assertEquals(List.of("DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS"),
                deleted.taskDefinitions().stream().map(td -> td.statusAsString()).toList());
        assertEquals("DELETE_IN_PROGRESS", ecs.describeTaskDefinition(r -> r.taskDefinition(live)).taskDefinition().statusAsString());
        EcsException gone = assertThrows(EcsException.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition(unused)));
        assertEquals("ClientException", gone.awsErrorDetails().errorCode());

        ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(next));
        assertEquals("DELETE_IN_PROGRESS", ecs.describeTaskDefinition(r -> r.taskDefinition(live)).taskDefinition().statusAsString(),
                "its tasks still run while the deployment replaces them");
        awaitCompleted();
        long deadline = System.currentTimeMillis() + 20_000;
        EcsException describedLast = null;
        while (describedLast == null && System.currentTimeMillis() < deadline) {
            try {
                ecs.describeTaskDefinition(r -> r.taskDefinition(live));
                Thread.sleep(200);
            } catch (EcsException e) {
                describedLast = e;
            }
        }
        assertTrue(describedLast != null, "the revision is deleted once the service no longer uses it");
        assertEquals("ClientException", describedLast.awsErrorDetails().errorCode());
        EcsException refused = assertThrows(EcsException.class,
                () -> ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(live)));
        assertEquals(400, refused.statusCode());
        assertEquals(next, ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).taskDefinition());
    }

    /** A family alone names its newest ACTIVE revision, as ECS reads it (moto alone answers the newest, deregistered or not). */
    @Test
    void aFamilyAloneDescribesItsNewestActiveRevision() {
        String revision2 = registerCopy();
        String revision3 = registerCopy();
        assertEquals(revision3, ecs.describeTaskDefinition(r -> r.taskDefinition("web")).taskDefinition().taskDefinitionArn());

        ecs.deregisterTaskDefinition(r -> r.taskDefinition(revision3));
        assertEquals(revision2, ecs.describeTaskDefinition(r -> r.taskDefinition("web")).taskDefinition().taskDefinitionArn());
        assertEquals("INACTIVE", ecs.describeTaskDefinition(r -> r.taskDefinition(revision3)).taskDefinition().statusAsString(),
                "a deregistered revision is still described by its name");

        for (String arn : List.of(revision2, web.initialTaskDefinition())) {
            ecs.deregisterTaskDefinition(r -> r.taskDefinition(arn));
        }
        EcsException none = assertThrows(EcsException.class, () -> ecs.describeTaskDefinition(r -> r.taskDefinition("web")));
        assertEquals("ClientException", none.awsErrorDetails().errorCode());
    }

    /**
     * As a task's pull finds it: the image of a revision deleted from ECR (BatchDeleteImage, or a lifecycle policy's
     * expiry) after it was registered cannot be pulled, so the tasks of the deployment fail to start.
     */
    @Test
    void tasksOfAnImageEcrNoLongerHoldsFailToStart() throws InterruptedException {
        Pushed p = pushedRevision();
        p.ecr().batchDeleteImage(r -> r.repositoryName(p.repository()).imageIds(i -> i.imageDigest(p.digest())));

        ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(p.revision()));

        Task stopped = awaitStoppedTaskOf(p.revision());
        assertEquals("TaskFailedToStart", stopped.stopCodeAsString());
        assertTrue(stopped.stoppedReason().startsWith("CannotPullContainerError") && stopped.stoppedReason().contains(p.image()),
                stopped.stoppedReason());
    }

    /**
     * As a task's agent finds its secrets: a revision whose secret names a Parameter Store parameter that does not exist
     * (deleted by hand after the revision was registered) cannot start a task, and ECS says so in the stopped reason it
     * gives (the words of a real task's, quoted in a public repository's pull request: "ResourceInitializationError:
     * unable to pull secrets or registry auth: … invalid ssm parameters: /api//new-relic-license-key").
     */
    @Test
    void tasksWhoseSecretParameterDoesNotExistFailToStart() throws InterruptedException {
        Pushed p = pushedRevision();
        var live = ecs.describeTaskDefinition(r -> r.taskDefinition(p.revision())).taskDefinition();
        String missing = "/pushdeploy/web/deleted-by-hand";
        var containers = live.containerDefinitions().stream().map(c -> c.toBuilder()
                .secrets(software.amazon.awssdk.services.ecs.model.Secret.builder().name("GONE").valueFrom(missing).build()).build()).toList();
        String revision = ecs.registerTaskDefinition(r -> r.family(live.family()).networkMode(live.networkMode())
                .requiresCompatibilitiesWithStrings(live.requiresCompatibilitiesAsStrings()).cpu(live.cpu()).memory(live.memory())
                .containerDefinitions(containers)).taskDefinition().taskDefinitionArn();

        ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(revision));

        Task stopped = awaitStoppedTaskOf(revision);
        assertEquals("TaskFailedToStart", stopped.stopCodeAsString());
        assertEquals("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:"
                + " unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: " + missing,
                stopped.stoppedReason());
    }

    /**
     * ECR's archive, as its guide describes it: DescribeImages still describes an archived image, ARCHIVED; a task cannot
     * pull it; restored to the standard storage class, it can.
     */
    @Test
    void tasksOfAnArchivedImageFailToStartUntilItIsRestored() throws InterruptedException {
        Pushed p = pushedRevision();

        var archived = p.ecr().updateImageStorageClass(r -> r.repositoryName(p.repository()).imageId(i -> i.imageDigest(p.digest()))
                .targetStorageClass(TargetStorageClass.ARCHIVE));
        assertEquals(ImageStatus.ARCHIVED, archived.imageStatus());
        assertEquals(ImageStatus.ARCHIVED, p.ecr().describeImages(r -> r.repositoryName(p.repository())
                .imageIds(i -> i.imageDigest(p.digest()))).imageDetails().get(0).imageStatus());
        ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(p.revision()));
        Task stopped = awaitStoppedTaskOf(p.revision());
        assertTrue(stopped.stoppedReason().startsWith("CannotPullContainerError") && stopped.stoppedReason().contains(p.image()),
                stopped.stoppedReason());

        p.ecr().updateImageStorageClass(r -> r.repositoryName(p.repository()).imageId(i -> i.imageDigest(p.digest()))
                .targetStorageClass(TargetStorageClass.STANDARD));
        assertEquals(ImageStatus.ACTIVE, p.ecr().describeImages(r -> r.repositoryName(p.repository())
                .imageIds(i -> i.imageDigest(p.digest()))).imageDetails().get(0).imageStatus());
        String again = registerCopy(p.image());
        ecs.updateService(r -> r.cluster("pushdeploy").service("web").taskDefinition(again));
        assertEquals(again, awaitCompleted().taskDefinition(), "restored, the image is pulled");
    }

    @Test
    void throttledFirstAttemptsAreAbsorbedByTheSdksRetries() {
        runtime.simulator().throttling(new Throttling(1, 0));
        Service service = handlerLikeClient().describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0);
        assertEquals("web", service.serviceName());
        assertEquals(1, runtime.simulator().throttling().throttled());
    }

    @Test
    void aCallThrottledOnEveryAttemptFailsWithThrottlingException() {
        runtime.simulator().throttling(new Throttling(0, 1));
        EcsException e = assertThrows(EcsException.class,
                () -> handlerLikeClient().describeServices(r -> r.cluster("pushdeploy").services("web")));
        assertEquals("ThrottlingException", e.awsErrorDetails().errorCode());
        assertTrue(e.isThrottlingException());
        assertTrue(runtime.simulator().throttling().throttled() > 1, "the SDK retried");
    }

    @Test
    void theRuntimesOwnCallsAreNeverThrottled() {
        runtime.simulator().throttling(new Throttling(0, 1));
        assertEquals("web", ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0).serviceName());
    }

    @Test
    void theSmokeUrlAnswersForKnownServicesOnly() throws Exception {
        assertEquals(200, get(web.smokeUrl()));
        assertEquals(404, get(web.smokeUrl().replace("/web", "/api")));
    }

    private Service awaitCompleted() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            Service service = ecs.describeServices(r -> r.cluster("pushdeploy").services("web")).services().get(0);
            if (service.deployments().size() == 1 && "COMPLETED".equals(service.deployments().get(0).rolloutStateAsString())) {
                return service;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the rollout did not complete");
    }

    private String registerCopy() {
        return registerCopy(null);
    }

    /** An image pushed to the service's repository and a copy of the initial revision running it, by digest. */
    private Pushed pushedRevision() {
        String repository = web.target().repository();
        EcrClient ecr = runtime.clients().build(EcrClient.builder());
        String digest = runtime.pushImage(repository, "v9.0.0");
        String image = ecr.describeRepositories(r -> r.repositoryNames(repository)).repositories().get(0).repositoryUri() + "@" + digest;
        return new Pushed(repository, ecr, digest, image, registerCopy(image));
    }

    private record Pushed(String repository, EcrClient ecr, String digest, String image, String revision) {
    }

    /** A copy of the initial revision, its containers running {@code image} when not null. */
    private String registerCopy(String image) {
        var live = ecs.describeTaskDefinition(r -> r.taskDefinition(web.initialTaskDefinition())).taskDefinition();
        var containers = image == null ? live.containerDefinitions()
                : live.containerDefinitions().stream().map(c -> c.toBuilder().image(image).build()).toList();
        return ecs.registerTaskDefinition(r -> r.family(live.family()).networkMode(live.networkMode())
                .requiresCompatibilitiesWithStrings(live.requiresCompatibilitiesAsStrings()).cpu(live.cpu()).memory(live.memory())
                .containerDefinitions(containers)).taskDefinition().taskDefinitionArn();
    }

    private Task awaitStoppedTaskOf(String revision) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            List<String> arns = ecs.listTasks(r -> r.cluster("pushdeploy").serviceName("web").desiredStatus(DesiredStatus.STOPPED))
                    .taskArns();
            if (!arns.isEmpty()) {
                var stopped = ecs.describeTasks(r -> r.cluster("pushdeploy").tasks(arns)).tasks().stream()
                        .filter(t -> revision.equals(t.taskDefinitionArn())).findFirst();
                if (stopped.isPresent()) {
                    return stopped.get();
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no task of " + revision + " stopped");
    }

    /** A client like the handlers': not marked as the runtime's own. */
    private EcsClient handlerLikeClient() {
        return EcsClient.builder().endpointOverride(URI.create(System.getProperty("aws.endpointUrl")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static int get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
