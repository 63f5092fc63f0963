package dev.pushdeploy.adapter.aws;

import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.Deployment;
import dev.pushdeploy.rollout.RolloutSnapshot;
import dev.pushdeploy.rollout.RolloutVerdict;
import dev.pushdeploy.rollout.SmokeCheck;
import static dev.pushdeploy.rollout.Snapshots.OLD;
import static dev.pushdeploy.rollout.Snapshots.OURS;
import static dev.pushdeploy.rollout.Snapshots.REV1;
import static dev.pushdeploy.rollout.Snapshots.REV2;
import static dev.pushdeploy.rollout.Snapshots.STARTED;
import static dev.pushdeploy.rollout.Snapshots.TG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.config.Health;
import dev.pushdeploy.error.RunInterruptedException;
import dev.pushdeploy.error.TransientException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesResponse;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.EcsException;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeTargetHealthRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.DescribeTargetHealthResponse;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetHealthDescription;

/** The snapshot adapter over SDK-shaped answers (as ECS and the local simulator give them), and the verdict on them. */
class SdkRolloutObserverTest {
    private static final Rollout ROLLOUT = new Rollout(OURS, REV2, STARTED, STARTED + 600_000, true, null);
    private static final long NOW = STARTED + 90_000;

    /** ECS answering from a service and a task list; ListTasks pages of {@code pageSize}. */
    static class FakeEcs implements EcsClient {
        Service service;
        List<Task> tasks = new ArrayList<>();
        int pageSize = 100;
        final List<Integer> describeBatches = new ArrayList<>();
        RuntimeException failure;

        @Override
        public DescribeServicesResponse describeServices(DescribeServicesRequest request) {
            if (failure != null) {
                throw failure;
            }
            assertEquals(List.of("web"), request.services());
            if (service == null) {
                return DescribeServicesResponse.builder()
                        .failures(Failure.builder().arn("arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web").reason("MISSING").build())
                        .build();
            }
            return DescribeServicesResponse.builder().services(service).build();
        }

        @Override
        public ListTasksResponse listTasks(ListTasksRequest request) {
            assertEquals("web", request.serviceName());
            List<String> arns = tasks.stream().filter(t -> t.desiredStatus().equals(request.desiredStatusAsString()))
                    .map(Task::taskArn).toList();
            int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
            int to = Math.min(arns.size(), from + pageSize);
            return ListTasksResponse.builder().taskArns(arns.subList(from, to))
                    .nextToken(to < arns.size() ? String.valueOf(to) : null).build();
        }

        @Override
        public DescribeTasksResponse describeTasks(DescribeTasksRequest request) {
            describeBatches.add(request.tasks().size());
            return DescribeTasksResponse.builder()
                    .tasks(tasks.stream().filter(t -> request.tasks().contains(t.taskArn())).toList()).build();
        }

        @Override
        public String serviceName() {
            return "ecs";
        }

        @Override
        public void close() {
        }
    }

    static final class FakeElb implements ElasticLoadBalancingV2Client {
        List<TargetHealthDescription> targets = new ArrayList<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public DescribeTargetHealthResponse describeTargetHealth(DescribeTargetHealthRequest request) {
            asked.add(request.targetGroupArn());
            return DescribeTargetHealthResponse.builder().targetHealthDescriptions(targets).build();
        }

        @Override
        public String serviceName() {
            return "elasticloadbalancing";
        }

        @Override
        public void close() {
        }
    }

    private static Service service(software.amazon.awssdk.services.ecs.model.Deployment... deployments) {
        return Service.builder()
                .serviceName("web").status("ACTIVE").taskDefinition(REV2).desiredCount(2)
                .loadBalancers(lb -> lb.targetGroupArn(TG).containerName("app").containerPort(8080))
                .deployments(deployments)
                .events(e -> e.id("e2").message("(service web) has reached a steady state."),
                        e -> e.id("e1").message("(service web) (deployment " + OURS + ") deployment completed."))
                .build();
    }

    private static software.amazon.awssdk.services.ecs.model.Deployment deployment(
            String id, String status, String taskDefinition, String rolloutState, int running, int desired) {
        return software.amazon.awssdk.services.ecs.model.Deployment.builder()
                .id(id).status(status).taskDefinition(taskDefinition).rolloutState(rolloutState)
                .rolloutStateReason("ECS deployment " + id + " " + rolloutState.toLowerCase() + ".")
                .runningCount(running).desiredCount(desired).pendingCount(desired - running).failedTasks(0)
                .launchType("FARGATE").build();
    }

    private static Task running(String id, String startedBy, String taskDefinition, String ip) {
        return Task.builder()
                .taskArn("arn:aws:ecs:us-east-1:123456789012:task/pushdeploy/" + id)
                .startedBy(startedBy).taskDefinitionArn(taskDefinition)
                .lastStatus("RUNNING").desiredStatus("RUNNING")
                .containers(Container.builder().name("app").lastStatus("RUNNING").build())
                .attachments(Attachment.builder().type("ElasticNetworkInterface").status("ATTACHED").details(
                        KeyValuePair.builder().name("subnetId").value("subnet-0abc").build(),
                        KeyValuePair.builder().name("networkInterfaceId").value("eni-0abc").build(),
                        KeyValuePair.builder().name("privateIPv4Address").value(ip).build()).build())
                .build();
    }

    private static Task stopped(String id, String startedBy, String taskDefinition, String stopCode, String reason,
                                Container container) {
        return Task.builder()
                .taskArn("arn:aws:ecs:us-east-1:123456789012:task/pushdeploy/" + id)
                .startedBy(startedBy).taskDefinitionArn(taskDefinition)
                .lastStatus("STOPPED").desiredStatus("STOPPED").stopCode(stopCode).stoppedReason(reason)
                .containers(container)
                .build();
    }

    private static TargetHealthDescription target(String ip, String state, String reason) {
        return TargetHealthDescription.builder()
                .target(t -> t.id(ip).port(8080))
                .targetHealth(h -> h.state(state).reason(reason))
                .build();
    }

    static FakeEcs healthyEcs() {
        FakeEcs ecs = new FakeEcs();
        ecs.service = service(deployment(OURS, "PRIMARY", REV2, "COMPLETED", 2, 2));
        ecs.tasks.add(running("aaa111", OURS, REV2, "10.0.1.11"));
        ecs.tasks.add(running("bbb222", OURS, REV2, "10.0.1.12"));
        ecs.tasks.add(stopped("old333", OLD, REV1, "ServiceSchedulerInitiated",
                "Scaling activity initiated by (deployment " + OURS + ")",
                Container.builder().name("app").lastStatus("STOPPED").exitCode(143).build()));
        return ecs;
    }

    static FakeElb healthyElb() {
        FakeElb elb = new FakeElb();
        elb.targets.add(target("10.0.1.11", "healthy", null));
        elb.targets.add(target("10.0.1.12", "healthy", null));
        elb.targets.add(target("10.0.1.77", "draining", "Target.DeregistrationInProgress"));
        return elb;
    }

    @Test
    void readsServiceTasksAndTargetsIntoTheSnapshot() {
        FakeElb elb = healthyElb();
        RolloutSnapshot snapshot = new SdkRolloutObserver(healthyEcs(), elb, (url, status) -> {
            throw new AssertionError("no smoke URL configured");
        }).observe("pushdeploy", "web", Health.DEFAULT);

        assertEquals(REV2, snapshot.service().taskDefinition());
        assertEquals(List.of(TG), snapshot.service().targetGroupArns());
        assertEquals(List.of(TG), elb.asked);
        Deployment d = snapshot.service().deployments().get(0);
        assertEquals(List.of(OURS, "PRIMARY", REV2, "COMPLETED", 2, 2, 0, 0),
                List.of(d.id(), d.status(), d.taskDefinition(), d.rolloutState(), d.runningCount(), d.desiredCount(),
                        d.pendingCount(), d.failedTasks()));
        assertEquals(2, snapshot.service().events().size());
        assertEquals(3, snapshot.tasks().size());
        RolloutSnapshot.TaskState first = snapshot.tasks().get(0);
        assertEquals(List.of("aaa111", OURS, REV2, "RUNNING", "10.0.1.11"),
                List.of(first.shortId(), first.startedBy(), first.taskDefinitionArn(), first.lastStatus(), first.privateIp()));
        RolloutSnapshot.TaskState old = snapshot.tasks().get(2);
        assertEquals("ServiceSchedulerInitiated", old.stopCode());
        assertEquals(143, old.containers().get(0).exitCode());
        assertNull(old.privateIp());
        assertEquals(List.of("10.0.1.11", "10.0.1.12", "10.0.1.77"), snapshot.targets().stream().map(t -> t.id()).toList());
        assertEquals("draining", snapshot.targets().get(2).state());
        assertEquals("Target.DeregistrationInProgress", snapshot.targets().get(2).reason());
        assertNull(snapshot.smoke());

        assertEquals(Verdict.HEALTHY, RolloutVerdict.judge(snapshot, ROLLOUT, NOW).verdict());
    }

    @Test
    void aPullErrorAsEcsReportsItFailsTheRollout() {
        FakeEcs ecs = new FakeEcs();
        ecs.service = service(deployment(OURS, "PRIMARY", REV2, "IN_PROGRESS", 0, 2),
                deployment(OLD, "ACTIVE", REV1, "COMPLETED", 2, 2));
        ecs.tasks.add(stopped("0f1e2d3c4b5a", OURS, REV2, "TaskFailedToStart",
                "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref "
                        + "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc: not found",
                Container.builder().name("app").lastStatus("STOPPED")
                        .reason("CannotPullContainerError: pull image manifest has been retried 1 time(s)").build()));

        RolloutSnapshot snapshot = new SdkRolloutObserver(ecs, healthyElb(), (url, status) -> null)
                .observe("pushdeploy", "web", Health.DEFAULT);
        CheckResult result = RolloutVerdict.judge(snapshot, ROLLOUT, NOW);

        assertEquals(Verdict.FAILED, result.verdict());
        for (String part : List.of("task 0f1e2d3c4b5a", "web:2", "TaskFailedToStart", "CannotPullContainerError", "container app")) {
            assertTrue(result.reason().contains(part), result.reason() + " lacks " + part);
        }
    }

    @Test
    void readsEveryPageAndDescribesAtMostAHundredTasksPerCall() {
        FakeEcs ecs = healthyEcs();
        ecs.pageSize = 40;
        IntStream.range(0, 150).forEach(i -> ecs.tasks.add(stopped("gone" + i, OLD, REV1, "ServiceSchedulerInitiated",
                "Scaling activity", Container.builder().name("app").exitCode(0).build())));

        RolloutSnapshot snapshot = new SdkRolloutObserver(ecs, healthyElb(), (url, status) -> null)
                .observe("pushdeploy", "web", Health.DEFAULT);

        assertEquals(153, snapshot.tasks().size());
        assertTrue(ecs.describeBatches.stream().allMatch(n -> n <= 100), ecs.describeBatches.toString());
        assertEquals(153, ecs.describeBatches.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void runsTheSmokeCheckOnlyWhenConfigured() {
        List<String> probed = new ArrayList<>();
        SmokeCheck smoke = (url, status) -> {
            probed.add(url + " " + status);
            return new RolloutSnapshot.SmokeResult(false, "GET " + url + " answered 503 (expected " + status + ")");
        };
        RolloutSnapshot snapshot = new SdkRolloutObserver(healthyEcs(), healthyElb(), smoke)
                .observe("pushdeploy", "web", new Health("https://web.example.com/health", 204, 0, 600));

        assertEquals(List.of("https://web.example.com/health 204"), probed);
        CheckResult result = RolloutVerdict.judge(snapshot, ROLLOUT, NOW);
        assertEquals(Verdict.IN_PROGRESS, result.verdict());
        assertTrue(result.reason().contains("answered 503"), result.reason());
    }

    /** A service that no longer exists (deleted during the run) interrupts the run, naming it. */
    @Test
    void aMissingServiceInterruptsTheRunNamingIt() {
        RunInterruptedException e = assertThrows(RunInterruptedException.class,
                () -> new SdkRolloutObserver(new FakeEcs(), new FakeElb(), (u, s) -> null)
                        .observe("pushdeploy", "web", Health.DEFAULT));
        assertTrue(e.getMessage().startsWith("pushdeploy/web no longer exists or is not ACTIVE"), e.getMessage());
    }

    @Test
    void aRollingServiceWhoseServiceDeploymentCannotBeReadIsJudgedFromDescribeServices() {
        List<String> asked = new ArrayList<>();
        FakeEcs ecs = new FakeEcs() {
            @Override
            public software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsResponse describeServiceDeployments(
                    software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsRequest request) {
                asked.addAll(request.serviceDeploymentArns());
                throw EcsException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build())
                        .build();
            }
        };
        FakeEcs healthy = healthyEcs();
        String current = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/NCWGC2ZR-taawPAYrIaU5";
        ecs.service = healthy.service.toBuilder().currentServiceDeployment(current).build();
        ecs.tasks = healthy.tasks;

        RolloutSnapshot snapshot = new SdkRolloutObserver(ecs, healthyElb(), (u, s) -> null, names -> List.of(), null)
                .observe("pushdeploy", "web", Health.DEFAULT, ROLLOUT);

        assertEquals(List.of(current), asked, "the service's current service deployment was asked for");
        assertNull(snapshot.serviceDeployment());
        assertEquals(Verdict.HEALTHY, RolloutVerdict.judge(snapshot, ROLLOUT, NOW).verdict(), "DescribeServices' deployments decide");
    }

    @Test
    void aCompletedServiceDeploymentAndItsRevisionAreReadOnce() {
        String arn = "arn:aws:ecs:us-east-1:123456789012:service-deployment/pushdeploy/web/NCWGC2ZR-taawPAYrIaU5";
        String revision = "arn:aws:ecs:us-east-1:123456789012:service-revision/pushdeploy/web/4980306466373577095";
        List<String> calls = new ArrayList<>();
        FakeEcs ecs = new FakeEcs() {
            @Override
            public software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsResponse describeServiceDeployments(
                    software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsRequest request) {
                calls.add("DescribeServiceDeployments");
                return software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsResponse.builder().serviceDeployments(d -> d
                        .serviceDeploymentArn(arn).status("SUCCESSFUL").targetServiceRevision(r -> r.arn(revision)
                                .requestedTaskCount(2).runningTaskCount(2).pendingTaskCount(0))).build();
            }

            @Override
            public software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse describeServiceRevisions(
                    software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsRequest request) {
                calls.add("DescribeServiceRevisions");
                return software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse.builder()
                        .serviceRevisions(r -> r.serviceRevisionArn(revision).taskDefinition(REV2)).build();
            }
        };
        FakeEcs healthy = healthyEcs();
        ecs.service = healthy.service;
        ecs.tasks = healthy.tasks;
        Rollout recorded = new Rollout(OURS, REV2, STARTED, STARTED + 600_000, true, arn);
        SdkRolloutObserver observer = new SdkRolloutObserver(ecs, healthyElb(), (u, s) -> null, names -> List.of(), null);

        RolloutSnapshot first = observer.observe("pushdeploy", "web", Health.DEFAULT, recorded);
        RolloutSnapshot second = observer.observe("pushdeploy", "web", Health.DEFAULT, recorded);

        assertEquals(List.of("DescribeServiceDeployments", "DescribeServiceRevisions"), calls, "SUCCESSFUL does not change");
        assertEquals(first.serviceDeployment(), second.serviceDeployment());
        assertEquals(Verdict.HEALTHY, RolloutVerdict.judge(second, recorded, NOW).verdict());
    }

    @Test
    void throttlingIsTransientSoTheStateMachineRetries() {
        FakeEcs ecs = healthyEcs();
        ecs.failure = EcsException.builder().statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException").errorMessage("Rate exceeded").build())
                .build();
        assertThrows(TransientException.class,
                () -> new SdkRolloutObserver(ecs, new FakeElb(), (u, s) -> null).observe("pushdeploy", "web", Health.DEFAULT));
    }
}
