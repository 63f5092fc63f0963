package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.adapter.aws.DynamoRolloutWatches;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import dev.pushdeploy.adapter.aws.EcrKeptImages;
import dev.pushdeploy.request.ScanWatch;
import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.ledger.WaiterItem;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.Rollout;
import dev.pushdeploy.local.bootstrap.Bootstrap;
import dev.pushdeploy.handler.RequestLedgerEvents;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.rollout.Watch;
import dev.pushdeploy.template.Permissions.Permission;
import dev.pushdeploy.template.RecordingInterceptor.Call;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.SampleStack;
import dev.pushdeploy.testing.SimulatedEcs;
import dev.pushdeploy.testing.World;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Each function's IAM statements in template.yaml cover the AWS calls its code makes. Each
 * function's sample event runs through its handler's production constructor, with exactly the
 * environment the template gives the function, against a World prepared the way the handler's
 * own IT prepares it for that event (the scan gate with a configured severity and a finished scan,
 * so that its real path runs). An SDK interceptor records every call the handler makes;
 * each becomes the IAM action (and resource, where the request names one) it needs, plus what it
 * implies (KMS for SecureStrings and the encrypted topic, iam:PassRole for the task definition's
 * roles, ecs:TagResource for tags on registration), and the function's role must allow all of it.
 * ECS answers through the local runtime's simulator ({@link #front}): against moto alone the rollout steps and the
 * lifecycle hook took paths they never take on AWS, and their roles went unchecked on the real ones. Every check also
 * asks {@link IamSimulator}, IAM's evaluation written elsewhere, and fails where the two answer differently.
 */
@ExtendWith(EmulatorExtension.class)
class IamCoverageIT {
    static Set<String> functions() {
        return Repo.FUNCTIONS.keySet();
    }

    /**
     * What a function's sample run must reach of its path on AWS (a role is checked on the calls a run makes, and
     * against moto alone these runs stopped short: no service deployment, no task, no alarm).
     */
    static final Map<String, Set<String>> REACHED = Map.of(
            "CheckDeploymentFunction", Set.of("ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:DescribeTasks",
                    "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms"),
            "RolloutEventsFunction", Set.of("ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:DescribeTasks",
                    "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms", "states:SendTaskSuccess"),
            "LifecycleHookFunction", Set.of("ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions", "ecs:DescribeServices",
                    "ecs:ListTasks", "ecs:DescribeTasks", "elasticloadbalancing:DescribeTargetHealth", "cloudwatch:DescribeAlarms",
                    "dynamodb:GetItem", "dynamodb:UpdateItem"),
            "ScanEventsFunction", Set.of("ecr:DescribeImageScanFindings", "dynamodb:Query", "states:SendTaskSuccess",
                    "dynamodb:DeleteItem"),
            "FinalizeFunction", Set.of("ecs:DeregisterTaskDefinition", "ecr:PutImage", "ecr:BatchDeleteImage"));

    /**
     * {@code emulator} behind the JVM's {@link SimulatedEcs} (the handlers' shared SDK clients keep the endpoint they were
     * first used with), its fleet new and the service's alarms in CloudWatch, which the simulator serves.
     */
    static Emulator front(Emulator emulator) {
        SimulatedEcs ecs = SimulatedEcs.shared(emulator);
        ecs.simulator().alarms(List.of(SampleStack.ERROR_RATE_ALARM, SampleStack.RESPONSE_TIME_ALARM));
        return ecs.emulator();
    }

    /**
     * The template evaluated for World and the function: the resources it leaves unnamed are World's; a
     * function only an option brings is evaluated with it (PlanReleaseFunction with a second service, ScanEventsFunction
     * with the scan gate).
     */
    static Deployment stackFor(World world, String function) {
        Map<String, String> parameters = switch (Repo.template().resource(function).path("Condition").asText()) {
            case "HasSecondService" -> SampleStack.secondService("api");
            case "HasScanGate" -> Map.of("EnableScanGate", "true");
            default -> Map.of();
        };
        return Deployments.stack(parameters, name -> Optional.of("none"), Deployments.names().bind(Map.of(
                "DeploymentTable", World.TABLE,
                "DeploymentTable.Arn", "arn:aws:dynamodb:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":table/" + World.TABLE,
                "NotificationTopic", world.topicArn,
                "TaskExecutionRole.Arn", "arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-execution",
                "TaskRole.Arn", "arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-task",
                "TargetGroup", world.targetGroupArn)));
    }

    static String roleOf(Deployment stack, String function) {
        return stack.template().properties(function).path("Role").path("Fn::GetAtt").get(0).asText();
    }

    static String handlerClass(Deployment stack, String function) {
        return stack.template().properties(function).path("Handler").asText().split("::")[0];
    }

    /** The environment the template gives {@code function}, with the SDK aimed at the emulator. */
    static Map<String, String> environment(Deployment stack, String function, Emulator emulator) {
        Map<String, String> environment = new HashMap<>(FunctionEnvironment.of(stack, function));
        environment.putAll(Map.of("aws.endpointUrl", emulator.endpoint().toString(), "aws.region", Emulator.REGION,
                "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing"));
        return environment;
    }

    /**
     * Recorded calls against a role's statements: every permission they need, those it does not allow (with the
     * call that needs each), and the actions of those.
     */
    record Checked(Set<String> exercised, List<String> denied, Set<String> deniedActions) {
        /**
         * Also asks IAM's evaluation by {@link IamSimulator} for every permission, and fails where it and {@link Iam}'s own
         * matching answer differently, or where it refuses the request (a resource the action does not authorize on).
         */
        static Checked against(Deployment stack, String role, List<Call> calls) throws Exception {
            List<Iam.Statement> statements = Iam.statements(stack, role);
            Permissions permissions = new Permissions(Emulator.REGION, Emulator.ACCOUNT, stack.getAtt("Key", "Arn"));
            Set<String> exercised = new LinkedHashSet<>();
            Set<Permission> asked = new LinkedHashSet<>();
            List<String> denied = new ArrayList<>();
            Set<String> deniedActions = new TreeSet<>();
            for (Call call : calls) {
                for (Permission needed : permissions.of(call)) {
                    exercised.add(needed.toString());
                    asked.add(needed);
                    if (!Iam.allows(statements, needed.action(), needed.resource())) {
                        denied.add(call.service() + "." + call.operation() + " needs " + needed);
                        deniedActions.add(needed.action());
                    }
                }
            }
            String key = stack.getAtt("Key", "Arn");
            List<String> differ = IamSimulator.disagreements(statements, IamSimulator.evaluate(role, Iam.documents(stack, role),
                    new ArrayList<>(asked), Map.of(key, stack.properties("Key").path("KeyPolicy"))));
            assertTrue(differ.isEmpty(), role + ": IAM's evaluation (iam-simulate) and Iam differ:\n" + String.join("\n", differ));
            return new Checked(exercised, denied, deniedActions);
        }
    }

    @ParameterizedTest
    @MethodSource("functions")
    void everyCallIsAllowedByTheFunctionsRole(String function, Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator, World.configDocument(function.startsWith("Scan") ? "HIGH" : null));
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        ResponseUrl responses = ResponseUrl.start();
        String sample = responses.into(Files.readString(Repo.events(Repo.EVENTS.get(function))));

        List<Call> calls;
        try {
            calls = FunctionEnvironment.with(environment, () -> invokeRecorded(stack, function, prepare(function, world, sample)));
        } finally {
            responses.close();
        }

        assertFalse(calls.isEmpty(), function + ": no SDK call recorded (is the interceptor registered?)");
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        System.out.println(function + " exercised " + checked.exercised());
        Set<String> actions = new TreeSet<>();
        checked.exercised().forEach(permission -> actions.add(permission.split(" ")[0]));
        assertTrue(actions.containsAll(REACHED.getOrDefault(function, Set.of())), function + " stopped short of its path: " + actions);
        assertTrue(checked.denied().isEmpty(), function + "'s role " + roleOf(stack, function) + " lacks:\n"
                + String.join("\n", checked.denied()));
    }

    /**
     * The wait for the lock's turn: Lock invoked by WaitForLock (its sample with a task token), the lock free, stores
     * the token and wakes its own wait; the reconciler, on the end of a run stopped in WaitForLock (the sample's), the
     * lock free, wakes another waiter that stored one. Both SendTaskSuccess, each under its function's role.
     */
    @ParameterizedTest
    @ValueSource(strings = {"LockFunction", "ReconcileFunction"})
    void theWaitForTheLocksTurnAndItsWakeUpAreWithinTheirRoles(String function, Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator);
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String sample = Files.readString(Repo.events(Repo.EVENTS.get(function)));
        String event = function.equals("LockFunction") ? sample.replaceFirst("\\{", "{\"taskToken\": \"a-task-token\",") : sample;

        List<Call> calls = FunctionEnvironment.with(environment, () -> {
            if (function.equals("LockFunction")) {
                prepare(function, world, event);
            } else {
                String waited = world.startExecution("push-web-v1-1-0", Files.readString(Repo.events("lock.json")), "WaitForLock");
                world.sfn.stopExecution(r -> r.executionArn(waited));
                DynamoLedger ledger = new DynamoLedger(world.dynamo, World.TABLE);
                ledger.registerWaiter("pushdeploy/web", new WaiterItem("push-web-v1-2-0", Action.DEPLOY, null, null, 1, 1, 1,
                        Long.MAX_VALUE / 1000));
                assertTrue(ledger.setTurnToken("pushdeploy/web", "push-web-v1-2-0", "a-task-token"));
            }
            return invokeRecorded(stack, function, event);
        });

        Set<String> operations = operations(calls);
        assertTrue(operations.contains("Sfn.SendTaskSuccess"), function + " woke no wait: " + operations);
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /**
     * The way back to a revision deregistered since it was live: Rollback (its sample, the service on the request's
     * revision) and the reconciler (a run stopped in CheckDeployment, RollBackStoppedRuns on) register it again, tagged,
     * passing the roles it names, within their roles; so does StartDeployment for a revision deregistered before its
     * move (a manual rollback to a pruned revision; here its sample's own revision), and RegisterTaskDefinition, which
     * copies a live revision that is not ACTIVE before it registers the release.
     */
    @ParameterizedTest
    @ValueSource(strings = {"RollbackFunction", "ReconcileFunction", "StartDeploymentFunction", "RegisterTaskDefinitionFunction"})
    void theWayBackToADeregisteredRevisionIsWithinTheRole(String function, Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator);
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = new HashMap<>(environment(stack, function, emulator));
        String rollbackEvent = Files.readString(Repo.events(Repo.EVENTS.get("RollbackFunction")));
        String previous = Json.tree(rollbackEvent).path("request").path("previousTaskDefinition").asText();
        String sample = Files.readString(Repo.events(Repo.EVENTS.get(function)));
        boolean register = function.equals("RegisterTaskDefinitionFunction");
        boolean forward = register || function.equals("StartDeploymentFunction");
        String deregistered = register ? Json.tree(sample).path("request").path("previousTaskDefinition").asText()
                : forward ? Json.tree(sample).path("release").path("taskDefinition").asText() : previous;

        List<Call> calls = FunctionEnvironment.with(environment, () -> {
            String event = forward ? prepare(function, world, sample) : prepare("RollbackFunction", world, rollbackEvent);
            if (function.equals("ReconcileFunction")) {
                String stopped = world.startExecution("push-web-v1-1-0", event, "CheckDeployment");
                world.sfn.stopExecution(r -> r.executionArn(stopped));
                event = sample;
            }
            world.ecs.deregisterTaskDefinition(r -> r.taskDefinition(deregistered));
            String input = event;
            return invokeRecorded(stack, function, input);
        });

        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        Set<String> actions = new TreeSet<>();
        checked.exercised().forEach(permission -> actions.add(permission.split(" ")[0]));
        assertTrue(actions.containsAll(Set.of("ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole")),
                function + " registered no copy: " + actions);
        assertEquals(register ? 2 : 1, calls.stream().filter(c -> c.operation().equals("RegisterTaskDefinition")).count(),
                register ? "the copy of the live revision, then the release" : "the copy");
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /**
     * A manual rollback's Prepare asks Parameter Store whether the slot parameters its revision reads still exist
     * (GetParameters, nothing decrypted), within its role: the service live on a second release, back to the first.
     */
    @Test
    void aRollbacksSlotParameterCheckIsWithinPreparesRole(Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator);
        Deployment stack = stackFor(world, "PrepareFunction");
        Map<String, String> environment = environment(stack, "PrepareFunction", emulator);
        String first = register(world, world.pushImage("v1.0.1"), "a");
        String second = register(world, world.pushImage("v1.1.0"), "b");
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(second));

        List<Call> calls = FunctionEnvironment.with(environment, () -> {
            String input = RequestLedgerEvents.execution(world, "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\""
                    + first + "\"}", "rollback-web");
            return invokeRecorded(stack, "PrepareFunction", input);
        });

        Checked checked = Checked.against(stack, roleOf(stack, "PrepareFunction"), calls);
        assertTrue(checked.exercised().contains("ssm:GetParameters on arn:aws:ssm:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":parameter"
                + World.SIGNING_KEY_PARAMETER + "/a"), "asked about the first release's slot: " + checked.exercised());
        assertTrue(checked.denied().isEmpty(), "PrepareFunction's role lacks:\n" + String.join("\n", checked.denied()));
    }

    /**
     * The wait for the scan: ScanGate invoked by WaitForScan (its sample with a task token), the scan complete, stores
     * the token, answers its own wait and removes the watch, all under the gate's role.
     */
    @Test
    void theWaitForTheScanIsWithinTheGatesRole(Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator, World.configDocument("HIGH"));
        String function = "ScanGateFunction";
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String event = Files.readString(Repo.events(Repo.EVENTS.get(function))).replaceFirst("\\{", "{\"taskToken\": \"a-task-token\",");

        List<Call> calls = FunctionEnvironment.with(environment, () -> {
            prepare(function, world, event);
            return invokeRecorded(stack, function, event);
        });

        Set<String> operations = operations(calls);
        assertTrue(operations.containsAll(Set.of("DynamoDb.PutItem", "Sfn.SendTaskSuccess", "DynamoDb.DeleteItem")),
                "the gate did not watch and answer: " + operations);
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /**
     * An ECS event whose look cannot see the service (every ECS call throttled through the SDK's retries) before the
     * rollout's deadline (the sample's watch, its deadline moved ahead): RolloutEvents counts the run's resume in the
     * table, resumes the workflow to watch again and removes the watch, within its role.
     */
    @Test
    void anEventsResumeOfARunThatCannotSeeTheServiceIsWithinItsRole(Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator, World.configDocument(null));
        String function = "RolloutEventsFunction";
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String event = Files.readString(Repo.events(Repo.EVENTS.get(function)));
        dev.pushdeploy.local.ecs.EcsSimulator ecs = SimulatedEcs.shared(emulator).simulator();

        List<Call> calls;
        try {
            calls = FunctionEnvironment.with(environment, () -> {
                prepare(function, world, event);
                DynamoRolloutWatches watches = new DynamoRolloutWatches(world.dynamo, World.TABLE);
                Watch sample = watches.find(World.CLUSTER, World.SERVICE).orElseThrow();
                Rollout r = sample.rollout();
                long now = System.currentTimeMillis();
                watches.register(new Watch(sample.token(), sample.request(), new Rollout(r.deploymentId(), r.taskDefinition(), now,
                        now + 600_000, r.started(), r.serviceDeploymentArn(), r.desiredCount(), 0, r.copyOf()), sample.release(),
                        sample.expiresAt(), 0));
                ecs.throttling(new dev.pushdeploy.local.ecs.Throttling(0, 1));
                return invokeRecorded(stack, function, event);
            });
        } finally {
            ecs.throttling(dev.pushdeploy.local.ecs.Throttling.off());
        }

        Set<String> operations = operations(calls);
        assertTrue(operations.containsAll(Set.of("DynamoDb.UpdateItem", "Sfn.SendTaskSuccess", "DynamoDb.DeleteItem")),
                "the event did not resume the run: " + operations);
        assertEquals(1, resumesCounted(world, "svc#" + World.CLUSTER + "/" + World.SERVICE), "the run's resume is counted");
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /**
     * A scan event whose look cannot read the scan (ECR's DescribeImageScanFindings throttled on every attempt) before the
     * scan's deadline (the sample's watch, its run started now): ScanEvents counts the run's resume in the table, resumes
     * the workflow to watch again and removes the watch, within its role.
     */
    @Test
    void aScanEventsResumeOfARunThatCannotReadTheScanIsWithinItsRole(Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator, World.configDocument("HIGH"));
        String function = "ScanEventsFunction";
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String event = Files.readString(Repo.events(Repo.EVENTS.get(function)));
        java.util.concurrent.atomic.AtomicBoolean throttled = new java.util.concurrent.atomic.AtomicBoolean();
        SimulatedEcs.shared(emulator).routeFirst(request -> throttled.get()
                && String.valueOf(request.header("X-Amz-Target")).endsWith(".DescribeImageScanFindings")
                ? Optional.of(dev.pushdeploy.local.endpoint.AwsResponse.json(400, dev.pushdeploy.local.endpoint.AwsResponse.JSON_1_1,
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", Map.of()))
                : Optional.empty());

        List<Call> calls;
        try {
            calls = FunctionEnvironment.with(environment, () -> {
                prepare(function, world, event);
                DynamoScanWatches watches = new DynamoScanWatches(() -> world.dynamo, World.TABLE);
                ScanWatch sample = watches.find(World.REPOSITORY).get(0);
                watches.register(new ScanWatch(sample.token(), sample.request().toBuilder().startedAt(System.currentTimeMillis()).build(),
                        sample.expiresAt(), 0));
                throttled.set(true);
                return invokeRecorded(stack, function, event);
            });
        } finally {
            throttled.set(false);
        }

        Set<String> operations = operations(calls);
        assertTrue(operations.containsAll(Set.of("Ecr.DescribeImageScanFindings", "DynamoDb.UpdateItem", "Sfn.SendTaskSuccess",
                "DynamoDb.DeleteItem")), "the event did not resume the run: " + operations);
        assertEquals(1, resumesCounted(world, "scan#" + World.REPOSITORY), "the run's resume is counted");
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /** Invokes the function's handler (its production constructor) with {@code event}: the SDK calls it made. */
    private static List<Call> invokeRecorded(Deployment stack, String function, String event) throws Exception {
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(handlerClass(stack, function)).getConstructor().newInstance();
        return RecordingInterceptor.record(() -> handler.handleRequest(
                new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null));
    }

    /** The runs whose resumes by events are counted in partition {@code pk}. */
    private static int resumesCounted(World world, String pk) {
        return world.dynamo.query(r -> r.tableName(World.TABLE).keyConditionExpression("pk = :pk AND begins_with(sk, :resumes)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk), ":resumes", AttributeValue.fromS("resumes#"))))
                .items().size();
    }

    /**
     * The gate on an image index (a multi-platform push: the sample's digest is the index's): it reads the index
     * (BatchGetImage), which ECR does not scan, and the scans of its platform images, under the gate's role.
     */
    @Test
    void theGateReadsAnIndexAndItsPlatformImagesWithinItsRole(Emulator emulator) throws Exception {
        World world = World.create(emulator, World.configDocument("HIGH"));
        String function = "ScanGateFunction";
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String event = Files.readString(Repo.events(Repo.EVENTS.get(function)));
        String index = Json.tree(event).path("request").path("digest").asText();
        List<String> images = new ArrayList<>();
        for (String platform : Bootstrap.PLATFORMS) {
            String manifest = """
                    {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                     "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":7,"digest":"sha256:%1$s"},
                     "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":7,"digest":"sha256:%1$s"}]}"""
                    .formatted(SampleStack.sha256(platform));
            String image = world.ecr.putImage(r -> r.repositoryName(World.REPOSITORY).imageManifest(manifest)).image().imageId().imageDigest();
            world.ecr.startImageScan(r -> r.repositoryName(World.REPOSITORY).imageId(i -> i.imageDigest(image)));
            images.add(image);
        }
        world.ecr.putImage(r -> r.repositoryName(World.REPOSITORY).imageTag("v1.1.0").imageDigest(index)
                .imageManifest(Bootstrap.indexManifest(images, Bootstrap.PLATFORMS)));

        List<Call> calls = FunctionEnvironment.with(environment, () -> invokeRecorded(stack, function, event));

        assertEquals(List.of("Ecr.DescribeImageScanFindings", "Ecr.BatchGetImage", "Ecr.DescribeImageScanFindings",
                "Ecr.DescribeImageScanFindings"), calls.stream().map(call -> call.service() + "." + call.operation())
                .filter(op -> op.startsWith("Ecr.")).toList(), "the index's own scan, the index, each platform image's scan");
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        assertTrue(checked.denied().isEmpty(), function + "'s role lacks:\n" + String.join("\n", checked.denied()));
    }

    /** The reconciler's stack and environment in a fresh world, for a release's end; its calls checked against its role. */
    private record Reconciling(World world, Deployment stack, Map<String, String> environment, SfnClient sfn) {
        static final String ROLE = "arn:aws:iam::" + Emulator.ACCOUNT + ":role/stand-in";

        static Reconciling in(Emulator emulator) throws Exception {
            Emulator fronted = front(emulator);
            World world = World.create(fronted);
            Deployment stack = stackFor(world, "ReconcileFunction");
            return new Reconciling(world, stack, IamCoverageIT.environment(stack, "ReconcileFunction", fronted),
                    fronted.client(SfnClient.builder()));
        }

        List<Call> invoke(String event) throws Exception {
            return FunctionEnvironment.with(environment, () -> invokeRecorded(stack, "ReconcileFunction", event));
        }

        void assertWithinRole(List<Call> calls) throws Exception {
            Checked checked = Checked.against(stack, roleOf(stack, "ReconcileFunction"), calls);
            assertTrue(checked.denied().isEmpty(), "the reconciler's role lacks:\n" + String.join("\n", checked.denied()));
        }
    }

    /** The calls as {@code Service.Operation}. */
    private static Set<String> operations(List<Call> calls) {
        Set<String> operations = new TreeSet<>();
        calls.forEach(call -> operations.add(call.service() + "." + call.operation()));
        return operations;
    }

    /**
     * The reconciler on a release's end (events/reconcile-release.json): a release stopped after its plan, one
     * deployment of which had gone live, is read (its history, its deployment), the deployment rolled back
     * (StartExecution), the release recorded and announced, all under the reconciler's role.
     */
    @Test
    void aReleasesEndIsReconciledWithinTheReconcilersRole(Emulator emulator) throws Exception {
        Reconciling reconciling = Reconciling.in(emulator);
        World world = reconciling.world();
        SfnClient sfn = reconciling.sfn();
        String role = Reconciling.ROLE;
        String plan = """
                {"release": "shop-1", "reason": "release shop-1: why", "rollbackReason": "release shop-1 rolled back: why",
                 "services": [{"service": "pushdeploy/web", "image": "web@sha256:%s", "execution": "shop-1-web",
                               "rollbackExecution": "shop-1-web-rollback"}]}""".formatted("1".repeat(64));
        String deploy = sfn.createStateMachine(r -> r.name(World.STATE_MACHINE).roleArn(role).definition("""
                {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true,
                 "Result": {"request": {"decision": "PROCEED", "previousTaskDefinition": "%s"}}}}}""".formatted(world.liveTaskDefinition)))
                .stateMachineArn();
        assertEquals(reconciling.environment().get("DEPLOY_STATE_MACHINE_ARN"), deploy);
        String web = sfn.startExecution(r -> r.stateMachineArn(deploy).name("shop-1-web").input("{}")).executionArn();
        String release = sfn.createStateMachine(r -> r.name("pushdeploy-release").roleArn(role).definition("""
                {"StartAt": "Plan", "States": {"Plan": {"Type": "Pass", "Result": %s, "Next": "Deploy"},
                 "Deploy": {"Type": "Wait", "Seconds": 3600, "End": true}}}""".formatted(plan))).stateMachineArn();
        assertEquals(reconciling.environment().get("RELEASE_STATE_MACHINE_ARN"), release);
        String shop1 = sfn.startExecution(r -> r.stateMachineArn(release).name("shop-1").input("{}")).executionArn();
        long deadline = System.currentTimeMillis() + 30_000;
        while ((!"SUCCEEDED".equals(sfn.describeExecution(r -> r.executionArn(web)).statusAsString())
                || sfn.getExecutionHistory(r -> r.executionArn(shop1)).events().stream().noneMatch(e -> e.stateExitedEventDetails() != null))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        sfn.stopExecution(r -> r.executionArn(shop1));
        String event = Files.readString(Repo.events("reconcile-release.json"));

        List<Call> calls = reconciling.invoke(event);

        assertEquals("SUCCEEDED", sfn.describeExecution(r -> r.executionArn(deploy.replace(":stateMachine:", ":execution:")
                + ":shop-1-web-rollback")).statusAsString(), "the rollback of the deployment that went live ran");
        Set<String> operations = operations(calls);
        assertTrue(operations.containsAll(Set.of("Sfn.GetExecutionHistory", "Sfn.DescribeExecution", "Sfn.StartExecution",
                "DynamoDb.PutItem", "DynamoDb.UpdateItem", "Sns.Publish")), operations.toString());
        reconciling.assertWithinRole(calls);
    }

    /**
     * The reconciler on a release that ended through its Record state but has no record, and whose Notify state failed too
     * (both failed every attempt): it reads the summary the release ended with (DescribeExecution of the release's own
     * execution), writes the record and announces it, all under the reconciler's role (which once let it describe only the
     * deployment workflow's executions: on AWS the read was refused and the release left without a record).
     */
    @Test
    void aReleaseWithoutItsRecordIsRecordedWithinTheReconcilersRole(Emulator emulator) throws Exception {
        Reconciling reconciling = Reconciling.in(emulator);
        World world = reconciling.world();
        SfnClient sfn = reconciling.sfn();
        String role = Reconciling.ROLE;
        String summary = """
                {"release": "shop-1", "outcome": "SUCCEEDED", "reason": "release shop-1: why",
                 "services": [{"service": "pushdeploy/web", "image": "web@sha256:%s", "execution": "shop-1-web",
                               "deployment": "SUCCEEDED", "ok": true, "state": "LIVE", "rollbackTo": "%s",
                               "rollbackExecution": "shop-1-web-rollback"}],
                 "notifyFailed": {"Error": "SNS.InternalErrorException", "Cause": "Internal error"}}""".formatted("1".repeat(64),
                world.liveTaskDefinition);
        String release = sfn.createStateMachine(r -> r.name("pushdeploy-release").roleArn(role).definition("""
                {"StartAt": "Released", "States": {"Released": {"Type": "Pass", "Result": %s, "End": true}}}""".formatted(summary)))
                .stateMachineArn();
        assertEquals(reconciling.environment().get("RELEASE_STATE_MACHINE_ARN"), release);
        String shop1 = sfn.startExecution(r -> r.stateMachineArn(release).name("shop-1").input("{}")).executionArn();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!"SUCCEEDED".equals(sfn.describeExecution(r -> r.executionArn(shop1)).statusAsString())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        JsonNode sample = Json.tree(Files.readString(Repo.events("reconcile-release.json")));
        ((com.fasterxml.jackson.databind.node.ObjectNode) sample.path("detail")).put("status", "SUCCEEDED").putNull("cause")
                .put("executionArn", shop1).put("stateMachineArn", release);
        String event = sample.toString();

        List<Call> calls = reconciling.invoke(event);

        Map<String, AttributeValue> record = world.dynamo.getItem(r -> r.tableName(World.TABLE).key(Map.of(
                "pk", AttributeValue.fromS("rel#shop-1"), "sk", AttributeValue.fromS("release")))).item();
        assertEquals("reconciler", record.get("recordedBy").s(), "the record written from the summary: " + record);
        Set<String> operations = operations(calls);
        assertTrue(operations.containsAll(Set.of("Sfn.DescribeExecution", "DynamoDb.PutItem", "Sns.Publish")), operations.toString());
        reconciling.assertWithinRole(calls);
    }

    /**
     * Each function's SnapStart priming, recorded like its run: every call is allowed by its role but those
     * {@link PrimingDenials} names (which the cold-start benchmark answers AccessDenied).
     */
    @ParameterizedTest
    @MethodSource("functions")
    void primingCallsAreAllowedByTheRoleButTheNamedOnes(String function, Emulator emulator) throws Exception {
        emulator = front(emulator);
        World world = World.create(emulator);
        Deployment stack = stackFor(world, function);
        Map<String, String> environment = environment(stack, function, emulator);
        String handlerClass = handlerClass(stack, function);

        List<Call> calls = FunctionEnvironment.with(environment, () -> {
            org.crac.Resource handler = (org.crac.Resource) Class.forName(handlerClass).getConstructor().newInstance();
            return RecordingInterceptor.record(() -> handler.beforeCheckpoint(null));
        });

        assertFalse(calls.isEmpty(), function + ": priming made no SDK call");
        Checked checked = Checked.against(stack, roleOf(stack, function), calls);
        String handler = handlerClass.substring(handlerClass.lastIndexOf('.') + 1);
        assertEquals(PrimingDenials.BY_HANDLER.getOrDefault(handler, Set.of()), checked.deniedActions(),
                function + "'s priming calls " + calls);
    }

    /**
     * What each sample event expects to find (as in the handler's own IT), made outside the recording; the event to
     * send: the sample, or for the lifecycle hook the sample naming the service deployment it is invoked for.
     */
    static String prepare(String function, World world, String event) throws Exception {
        switch (function) {
            case "PrepareFunction" -> {
                world.pushImage("v1.1.0");
                world.startExecution("push-web-v1-1-0", Files.readString(Repo.events("ecr-push.json")));
            }
            case "LockFunction" -> world.pushImage("v1.1.0");
            case "ReconcileFunction" -> world.startExecution("push-web-v1-1-0", Files.readString(Repo.events("ecr-push.json")));
            case "ScanGateFunction" -> {
                String digest = world.pushImage("v1.1.0");
                world.ecr.startImageScan(r -> r.repositoryName(World.REPOSITORY).imageId(i -> i.imageDigest(digest)));
            }
            case "ScanEventsFunction" -> {
                String digest = world.pushImage("v1.1.0");
                world.ecr.startImageScan(r -> r.repositoryName(World.REPOSITORY).imageId(i -> i.imageDigest(digest)));
                DeployRequest request = Json.convert(Json.tree(Files.readString(Repo.events("scan-gate.json"))).path("request"),
                        DeployRequest.class);
                new DynamoScanWatches(() -> world.dynamo, World.TABLE).register(new ScanWatch("a-task-token", request,
                        Long.MAX_VALUE / 1000, 0));
            }
            case "RegisterTaskDefinitionFunction" -> world.pushImage("v1.0.1");
            case "PlanReleaseFunction" -> world.pushImage("v1.1.0");
            case "StartDeploymentFunction" -> {
                revision2(world);
                lock(event);
            }
            case "CheckDeploymentFunction", "RollbackFunction" -> {
                String revision = revision2(world);
                world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revision));
                lock(event);
            }
            case "RolloutEventsFunction" -> {
                String revision = revision2(world);
                world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(revision));
                String check = Files.readString(Repo.events("check-deployment.json"));
                lock(check);
                JsonNode state = Json.tree(check);
                new DynamoRolloutWatches(world.dynamo, World.TABLE).register(new Watch("a-task-token",
                        Json.convert(state.path("request"), DeployRequest.class), Json.convert(state.path("rollout"), Rollout.class),
                        Json.convert(state.path("release"), Release.class), Long.MAX_VALUE / 1000, 0));
            }
            case "FinalizeFunction" -> {
                String v110 = world.pushImage("v1.1.0");
                KeptImages kept = new EcrKeptImages(() -> world.ecr);
                for (int i = 2; i <= 5; i++) {
                    String old = register(world, world.liveDigest, "a");
                    kept.keep(World.REPOSITORY, world.liveDigest, KeptImages.tag(Revisions.family(old), Revisions.revision(old)));
                }
                String live = register(world, v110, "b");
                world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(live));
                lock(event);
            }
            case "LifecycleHookFunction" -> {
                world.shiftTrafficToRevision2();
                return world.hookPayload(event);
            }
            default -> {
            }
        }
        return event;
    }

    /** The request of a sample event takes the service's lock, as its run would have before the step (steps move the service only then). */
    private static void lock(String event) throws Exception {
        RequestStreamHandler lock = (RequestStreamHandler) Class.forName("dev.pushdeploy.handler.LockHandler").getConstructor().newInstance();
        lock.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
    }

    /** Revision 2 of web: the live one with the image v1.0.1 (what the rollout events name). */
    private static String revision2(World world) {
        String digest = world.pushImage("v1.0.1");
        return register(world, digest, "a");
    }

    private static String register(World world, String digest, String slot) {
        return world.ecs.registerTaskDefinition(r -> r.family(World.SERVICE).networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE).cpu("256").memory("512")
                        .executionRoleArn("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-execution")
                        .taskRoleArn("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-task")
                        .containerDefinitions(c -> c.name(World.CONTAINER).image(world.repositoryUri + "@" + digest).essential(true)
                                .portMappings(p -> p.containerPort(8080))
                                .secrets(Secret.builder().name("APP_SIGNING_KEY").valueFrom(World.SIGNING_KEY_PARAMETER + "/" + slot).build())))
                .taskDefinition().taskDefinitionArn();
    }

    /**
     * RotateSecrets with the database (EnableDatabase=true): the template's own configuration
     * document drives the real handler against a real PostgreSQL (embedded, trust authentication:
     * only the calls matter here) and the master secret in Secrets Manager, read through Parameter
     * Store's reference path as in production. The role is evaluated with the database's statements.
     */
    @Test
    void theRotationWithTheDatabaseIsAllowedByItsRole(Emulator emulator) throws Exception {
        emulator = front(emulator);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement sql = admin.createStatement()) {
                sql.execute("CREATE DATABASE app");
            }
            Deployment stack = Deployments.stack(Map.of("EnableDatabase", "true"), name -> Optional.of("none"),
                    Deployments.names().bind(Map.of("Database.Endpoint.Address", "localhost",
                            "Database.Endpoint.Port", String.valueOf(postgres.getPort()))));
            World world = World.create(emulator, stack.properties("ConfigParameter").path("Value").asText());
            String secretName = stack.properties("DatabaseMasterSecret").path("Name").asText();
            world.emulator.client(SecretsManagerClient.builder()).createSecret(r -> r.name(secretName)
                    .secretString("{\"username\": \"postgres\", \"password\": \"unused-with-trust\"}"));
            Map<String, String> environment = environment(stack, "RotateSecretsFunction", emulator);
            String event = Files.readString(Repo.events("rotate-secrets.json"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            List<Call> calls = FunctionEnvironment.with(environment, () -> {
                RequestStreamHandler handler = (RequestStreamHandler) Class.forName(Repo.HANDLER_PACKAGE + "RotateSecretsHandler")
                        .getConstructor().newInstance();
                return RecordingInterceptor.record(() -> handler.handleRequest(
                        new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null));
            });

            assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"username\":\"app_a\""), out.toString(StandardCharsets.UTF_8));
            Checked checked = Checked.against(stack, "RotateSecretsFunctionRole", calls);
            System.out.println("RotateSecretsFunction (database) exercised " + checked.exercised());
            assertTrue(checked.exercised().stream().anyMatch(p -> p.startsWith("secretsmanager:GetSecretValue")),
                    checked.exercised().toString());
            assertTrue(checked.denied().isEmpty(), "RotateSecretsFunctionRole lacks:\n" + String.join("\n", checked.denied()));
        }
    }

    /** The check is not vacuous: a role without a needed statement is reported. */
    @Test
    void aMissingStatementIsFound() {
        List<Iam.Statement> statements = List.of(new Iam.Statement("x", List.of("ecs:DescribeServices"),
                List.of("arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web")));
        assertTrue(Iam.allows(statements, "ecs:describeservices", "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web"));
        assertFalse(Iam.allows(statements, "ecs:UpdateService", "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web"));
        assertFalse(Iam.allows(statements, "ecs:DescribeServices", "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/api"));
    }
}
