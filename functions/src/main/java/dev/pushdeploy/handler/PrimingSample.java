package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.Priming;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.ledger.Finalizer;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.CheckResult;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.LockResult;
import dev.pushdeploy.model.LockStatus;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.Verdict;
import dev.pushdeploy.rollout.DeploymentStarter;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state a function's priming request is made of (see {@link StepHandler#beforeCheckpoint}):
 * a deploy of the first configured service from its live revision to itself, with the pieces
 * each step reads. Identifiers are real where a read can use them (the service, its live
 * revision); the request and the image are the priming's own, and its secrets have no live slot.
 *
 * @param config the configuration document; the sample is for its first target
 * @param live   the service's live revision, null when it has none (or ECS could not be read)
 */
public record PrimingSample(PipelineConfig config, String live, DeployRequest request, Rollout rollout, Release release,
                            CheckResult check, RotationResult secrets) {
    static final String REQUEST_ID = "snapstart-priming";
    static final String TOKEN = "snapstart-priming-token";
    static final String EXECUTION_ARN = "arn:aws:states:us-east-1:000000000000:execution:pushdeploy:" + REQUEST_ID;
    static final int DEADLINE_SECONDS = 900;
    static final String DIGEST = "sha256:" + "0".repeat(64);
    private static final ThreadLocal<PrimingSample> CURRENT = new ThreadLocal<>();

    static PrimingSample of(Target target, String live, Clock clock) {
        return of(new PipelineConfig(List.of(target), null), live, clock);
    }

    static PrimingSample of(PipelineConfig config, String live, Clock clock) {
        Target target = config.targets().get(0);
        long now = clock.millis();
        String image = target.repository() + "@" + DIGEST;
        DeployRequest request = DeployRequest.builder()
                .requestId(REQUEST_ID).action(Action.DEPLOY).source("manual")
                .cluster(target.cluster()).service(target.service()).container(target.container())
                .repository(target.repository()).image(image).digest(DIGEST)
                .reason("SnapStart priming").pushedAt(now)
                .previousTaskDefinition(live).liveSlots(target.secrets().isEmpty() ? null : Map.of())
                .decision(Decision.PROCEED).rotate(!target.secrets().isEmpty()).register(true)
                .scanGate(target.scanSeverity() != null)
                .deadlineSeconds(DEADLINE_SECONDS).executionArn(EXECUTION_ARN).startedAt(now)
                .rollBackStoppedRuns(config.rollBackStoppedRuns())
                .build();
        Rollout rollout = new Rollout(null, live, now, now + DEADLINE_SECONDS * 1000L, true, null);
        Release release = new Release(live, target.service(), 0, image, false);
        CheckResult check = new CheckResult(Verdict.FAILED, "SnapStart priming", 0, 0, 0, 0);
        return new PrimingSample(config, live, request, rollout, release, check, new RotationResult(null));
    }

    /** The configured service the sample is for: the first. */
    Target target() {
        return config.targets().get(0);
    }

    /**
     * A revision of the live one's family that is not live (the next number), for the steps that move the
     * service: priming moves it there, and priming answers that move in process. Null without a live revision.
     */
    String otherRevision() {
        return live == null ? null : Revisions.family(live) + ":" + (Revisions.revision(live) + 1);
    }

    /**
     * {@code ownership}, except that on a thread that is priming (never otherwise) the request counts as the
     * lock's holder once the lock was read: a step that moves the service, or keeps house and releases the lock,
     * only while it holds the lock then walks on to those writes, which priming answers in process.
     */
    static DeploymentStarter.Ownership orWhilePriming(DeploymentStarter.Ownership ownership) {
        return request -> ownership.holds(request) || Priming.active();
    }

    /** Runs {@code path} with this sample as {@link #current()} (on the calling thread). */
    void prime(Runnable path) {
        CURRENT.set(this);
        try {
            path.run();
        } finally {
            CURRENT.remove();
        }
    }

    /** The sample this thread primes with; empty unless it is priming ({@link Priming#active()}) in {@link #prime}. */
    static Optional<PrimingSample> current() {
        return Priming.active() ? Optional.ofNullable(CURRENT.get()) : Optional.empty();
    }

    /**
     * The priming's own service deployment of the sample's service, in ECS's ARN form and the live revision's region
     * and account, as ECS names it when it invokes a lifecycle hook; null without a live revision.
     */
    String serviceDeploymentArn() {
        return ecsArn("service-deployment/" + target().cluster() + "/" + target().service() + "/" + REQUEST_ID);
    }

    /** The target service revision of {@link #serviceDeploymentArn()}: the live revision's task definition. */
    String serviceRevisionArn() {
        return ecsArn("service-revision/" + target().cluster() + "/" + target().service() + "/" + "0".repeat(19));
    }

    /** The sample's service in ECS's ARN form, in the live revision's region and account; null without a live revision. */
    String serviceArn() {
        return ecsArn("service/" + target().cluster() + "/" + target().service());
    }

    private String clusterArn() {
        return ecsArn("cluster/" + target().cluster());
    }

    private String ecsArn(String resource) {
        if (live == null || !live.startsWith("arn:")) {
            return null;
        }
        String[] arn = live.split(":");
        return String.join(":", arn[0], arn[1], arn[2], arn[3], arn[4], resource);
    }

    /** The priming execution's input: a manual deploy of the sample image to the sample's service. */
    String input() {
        return "{\"action\":\"deploy\",\"image\":\"" + target().repository() + "@" + DIGEST + "\",\"reason\":\"SnapStart priming\"}";
    }

    /**
     * Where the priming execution was when it ended: in CheckDeployment, its rollout having moved the service onto
     * its live revision from the one before (the reconciler moves it back: priming answers that move in process).
     */
    Finalizer.Input stoppedInCheck() {
        String before = live == null || Revisions.revision(live) < 2 ? otherRevision()
                : Revisions.family(live) + ":" + (Revisions.revision(live) - 1);
        return new Finalizer.Input(request.toBuilder().previousTaskDefinition(before).build(), null,
                new Release(live, release.family(), 0, release.image(), true),
                new Rollout(null, live, rollout.startedAt(), rollout.deadlineAt(), true, null), null, null, null,
                new LockResult(LockStatus.ACQUIRED, REQUEST_ID, "SnapStart priming"), null, secrets, null, null);
    }

    /**
     * The answers, shaped as AWS gives them, of the reads of what exists only while priming (see
     * {@link Priming.StandIns}): the priming execution (DescribeExecution: running, started with {@link #input()};
     * GetExecutionHistory: it entered {@link #stoppedInCheck()}'s state), the sample image (DescribeImages; its scan,
     * complete without findings: DescribeImageScanFindings; a run waiting for that scan: the Query of its watches), the
     * move of the sample's service (UpdateService, a write, which priming never sends: {@link #movedService}) and the
     * priming's own service deployment with its target revision (DescribeServiceDeployments, DescribeServiceRevisions:
     * blue/green with test traffic moved onto the live revision). Step Functions would refuse the first two (the
     * execution is none of the stack's), ECR knows no such image and ECS no such service deployment; answered, they
     * let Prepare, the scan gate and its events, the steps that move the service, LifecycleHook and Reconcile walk
     * their way to an answer.
     * Nothing outside priming.
     */
    static Optional<String> standIn(String operation, String body) {
        return current().flatMap(sample -> sample.answer(operation, body));
    }

    /**
     * The service as ECS answers an UpdateService that starts a deployment: on the requested revision, with one
     * PRIMARY deployment in progress and no task running yet.
     */
    private Map<String, Object> movedService(Object update, BigDecimal at) {
        String taskDefinition = String.valueOf(Json.member(update, "taskDefinition"));
        Object desired = Json.member(update, "desiredCount");
        int count = desired instanceof Number n ? n.intValue() : target().desiredCount();
        String arnPrefix = taskDefinition.startsWith("arn:") ? taskDefinition.substring(0, taskDefinition.indexOf(":task-definition/"))
                : "arn:aws:ecs:us-east-1:000000000000";
        String deployment = "ecs-svc/" + "0".repeat(19);
        return Map.of("serviceArn", arnPrefix + ":service/" + target().cluster() + "/" + target().service(), "serviceName", target().service(),
                "clusterArn", arnPrefix + ":cluster/" + target().cluster(), "status", "ACTIVE", "taskDefinition", taskDefinition,
                "desiredCount", count, "runningCount", 0, "pendingCount", 0,
                "deploymentConfiguration", Map.of("strategy", "ROLLING", "maximumPercent", 200, "minimumHealthyPercent", 100),
                "deployments", List.of(Map.of("id", deployment, "status", "PRIMARY", "taskDefinition", taskDefinition,
                        "desiredCount", count, "pendingCount", 0, "runningCount", 0, "failedTasks", 0, "createdAt", at,
                        "rolloutState", "IN_PROGRESS", "rolloutStateReason", "ECS deployment " + deployment + " in progress.")));
    }

    /** {@link #serviceDeploymentArn()} as DescribeServiceDeployments shows it: blue/green, test traffic on the target(). */
    private Map<String, Object> ownServiceDeployment(BigDecimal at) {
        return Map.of("serviceDeploymentArn", serviceDeploymentArn(),
                "serviceArn", serviceArn(),
                "clusterArn", clusterArn(), "createdAt", at, "startedAt", at,
                "sourceServiceRevisions", List.of(),
                "targetServiceRevision", Map.of("arn", serviceRevisionArn(), "requestedTaskCount", target().desiredCount(),
                        "runningTaskCount", target().desiredCount(), "pendingTaskCount", 0,
                        "requestedTestTrafficWeight", 100.0, "requestedProductionTrafficWeight", 0.0),
                "status", "IN_PROGRESS", "lifecycleStage", "POST_TEST_TRAFFIC_SHIFT",
                "deploymentCircuitBreaker", Map.of("status", "MONITORING", "failureCount", 0, "threshold", 3));
    }

    private Optional<String> answer(String operation, String body) {
        BigDecimal started = BigDecimal.valueOf(request.startedAt(), 3);
        if (body.contains(EXECUTION_ARN) && operation.equals("DescribeExecution")) {
            return Optional.of(Json.write(Map.of("executionArn", EXECUTION_ARN, "name", REQUEST_ID, "status", "RUNNING",
                    "stateMachineArn", EXECUTION_ARN.replace(":execution:", ":stateMachine:").replace(":" + REQUEST_ID, ""),
                    "startDate", started, "input", input())));
        }
        if (body.contains(EXECUTION_ARN) && operation.equals("GetExecutionHistory")) {
            return Optional.of(Json.write(Map.of("events", List.of(Map.of("id", 1, "type", "TaskStateEntered", "timestamp", started,
                    "stateEnteredEventDetails", Map.of("name", "CheckDeployment", "input", Json.write(stoppedInCheck())))))));
        }
        if (operation.equals("UpdateService")) {
            Object update = Json.parse(body);
            if (target().cluster().equals(Json.member(update, "cluster")) && target().service().equals(Json.member(update, "service"))) {
                return Optional.of(Json.write(Map.of("service", movedService(update, started))));
            }
        }
        String deployment = serviceDeploymentArn();
        if (deployment != null && body.contains(deployment) && operation.equals("DescribeServiceDeployments")) {
            return Optional.of(Json.write(Map.of("serviceDeployments", List.of(ownServiceDeployment(started)), "failures", List.of())));
        }
        String revision = serviceRevisionArn();
        if (revision != null && body.contains(revision) && operation.equals("DescribeServiceRevisions")) {
            return Optional.of(Json.write(Map.of("serviceRevisions", List.of(Map.of("serviceRevisionArn", revision,
                    "serviceArn", serviceArn(),
                    "clusterArn", clusterArn(), "taskDefinition", live, "launchType", "FARGATE",
                    "createdAt", started)), "failures", List.of())));
        }
        if (body.contains(DIGEST) && operation.equals("DescribeImageScanFindings")) {
            return Optional.of(Json.write(Map.of("repositoryName", target().repository(), "imageId", Map.of("imageDigest", DIGEST),
                    "imageScanStatus", Map.of("status", "COMPLETE", "description", "The scan was completed successfully."),
                    "imageScanFindings", Map.of("findingSeverityCounts", Map.of()))));
        }
        String scan = "scan#" + target().repository();
        if (body.contains("\"" + scan + "\"") && operation.equals("Query")) {
            return Optional.of(Json.write(Map.of("Count", 1, "ScannedCount", 1, "Items", List.of(Map.of(
                    "pk", Map.of("S", scan), "sk", Map.of("S", "watch#" + request.serviceKey() + "@" + DIGEST), "token", Map.of("S", TOKEN),
                    "request", Map.of("S", Json.write(request)),
                    "expiresAt", Map.of("N", Long.toString(request.startedAt() / 1000 + DEADLINE_SECONDS)))))));
        }
        if (body.contains(DIGEST) && operation.equals("DescribeImages")) {
            return Optional.of(Json.write(Map.of("imageDetails", List.of(Map.of("repositoryName", target().repository(),
                    "imageDigest", DIGEST, "imageTags", List.of(), "imagePushedAt", started)))));
        }
        return Optional.empty();
    }
}
