package dev.pushdeploy.handler;

import dev.pushdeploy.adapter.aws.CloudWatchAlarmStates;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.adapter.aws.SsmSlotParameters;
import static dev.pushdeploy.handler.RequestLedgerEvents.V1_0_0;
import static dev.pushdeploy.handler.RequestLedgerEvents.V1_1_0;
import static dev.pushdeploy.handler.RequestLedgerEvents.invoke;
import static dev.pushdeploy.handler.RequestLedgerEvents.prepareInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.EcsTaskDefinitions;
import dev.pushdeploy.adapter.aws.SdkEcsServices;
import dev.pushdeploy.adapter.aws.SfnExecutions;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Prepare against the emulator: the sample events (events/prepare.json and the raw inputs
 * ecr-push*.json, manual-*.json) through handleRequest, and proof that Prepare never mutates.
 * The events hold World's literal names and digests (moto's digests are deterministic; the
 * tests check that they still match).
 */
@ExtendWith(EmulatorExtension.class)
class PrepareHandlerIT {
    private World world;

    @BeforeEach
    void world(Emulator emulator) {
        world = World.create(emulator);
        RequestLedgerEvents.environment(world);
        assertEquals(V1_0_0, world.liveDigest, "the events' live digest is World's");
    }

    @Test
    void theSamplePrepareEventProceeds() {
        assertEquals(V1_1_0, world.pushImage("v1.1.0"), "the events' digest is what ECR reports for v1.1.0");
        long pushedAt = world.ecr.describeImages(r -> r.repositoryName("web").imageIds(i -> i.imageTag("v1.1.0")))
                .imageDetails().get(0).imagePushedAt().toEpochMilli();

        JsonNode sample = Json.tree(RequestLedgerEvents.file("prepare.json"));
        assertEquals(sample.path("executionArn").asText(), world.startExecution(sample.path("executionName").asText(),
                RequestLedgerEvents.file("ecr-push.json")), "the sample names World's execution");
        DeployRequest r = Json.convert(invoke(new PrepareHandler(), sample.toString()), DeployRequest.class);

        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals("push-web-v1-1-0", r.requestId());
        assertEquals(Action.DEPLOY, r.action());
        assertEquals("ecr", r.source());
        assertEquals(world.repositoryUri + "@" + V1_1_0, r.image());
        assertEquals("v1.1.0", r.tag());
        assertEquals(pushedAt, r.pushedAt());
        assertEquals(world.liveTaskDefinition, r.previousTaskDefinition());
        assertEquals(world.repositoryUri + "@" + V1_0_0, r.previousImage());
        assertTrue(r.rotate() && r.register());
        assertFalse(r.scanGate());
        assertEquals(600, r.deadlineSeconds());

        for (String later : List.of("lock.json", "finalize.json")) {
            DeployRequest carried = Json.convert(Json.tree(RequestLedgerEvents.file(later)).get("request"), DeployRequest.class);
            assertEquals(r.toBuilder().pushedAt(carried.pushedAt()).startedAt(carried.startedAt()).build(), carried,
                    later + " carries what Prepare produces");
        }
    }

    @Test
    void everyRawSampleInputPrepares() {
        world.pushImage("v1.1.0");
        PrepareHandler handler = new PrepareHandler();

        DeployRequest push = prepare(handler, "ecr-push.json");
        assertEquals(Decision.PROCEED, push.decision(), push.decisionReason());

        DeployRequest byDigest = prepare(handler, "manual-deploy.json");
        assertEquals(Decision.PROCEED, byDigest.decision(), byDigest.decisionReason());
        assertEquals("manual", byDigest.source());
        assertEquals("deploy v1.1.0 by digest", byDigest.reason());
        assertEquals(world.repositoryUri + "@" + V1_1_0, byDigest.image());

        DeployRequest byTag = prepare(handler, "manual-deploy-tag.json");
        assertEquals(Decision.PROCEED, byTag.decision(), byTag.decisionReason());
        assertEquals(V1_1_0, byTag.digest(), "the tag resolved to its digest");

        DeployRequest rotate = prepare(handler, "manual-rotate.json");
        assertEquals(Decision.PROCEED, rotate.decision(), rotate.decisionReason());
        assertEquals(Action.ROTATE, rotate.action());
        assertEquals(world.repositoryUri + "@" + V1_0_0, rotate.image());

        DeployRequest latest = prepare(handler, "ecr-push-latest.json");
        assertEquals(Decision.IGNORED, latest.decision());
        assertTrue(latest.decisionReason().startsWith("tag latest does not match tagPattern"), latest.decisionReason());

        DeployRequest delete = prepare(handler, "ecr-push-delete.json");
        assertEquals(Decision.IGNORED, delete.decision());
        assertEquals("ECR action-type DELETE is not a PUSH", delete.decisionReason());
    }

    @Test
    void realShapedPushesPrepare() {
        world.pushImage("v1.1.0");
        PrepareHandler handler = new PrepareHandler();

        DeployRequest withMediaTypes = prepare(handler, "ecr-push.json");
        assertEquals(Decision.PROCEED, withMediaTypes.decision(), withMediaTypes.decisionReason());

        DeployRequest untagged = prepare(handler, "ecr-push-untagged.json");
        assertEquals(Decision.IGNORED, untagged.decision());
        assertTrue(untagged.decisionReason().startsWith("the image was pushed without a tag"), untagged.decisionReason());
        for (String tag : new String[] {"null", null}) {
            ObjectNode event = (ObjectNode) Json.tree(RequestLedgerEvents.file("ecr-push-untagged.json"));
            ObjectNode detail = (ObjectNode) event.get("detail");
            if (tag == null) {
                detail.remove("image-tag");
            } else {
                detail.putNull("image-tag");
            }
            DeployRequest r = Json.convert(invoke(handler, prepareDocument(event, tag == null ? "untagged-missing" : "untagged-null")), DeployRequest.class);
            assertEquals(Decision.IGNORED, r.decision(), "image-tag " + (tag == null ? "missing" : "null"));
        }

        String index = """
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
                 {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":7,"digest":"sha256:%s","platform":{"architecture":"amd64","os":"linux"}},
                 {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":7,"digest":"sha256:%s","platform":{"architecture":"arm64","os":"linux"}}]}"""
                .formatted(World.sha256("amd64"), World.sha256("arm64"));
        String indexDigest = world.ecr.putImage(r -> r.repositoryName(World.REPOSITORY).imageManifest(index)
                .imageManifestMediaType("application/vnd.oci.image.index.v1+json").imageTag("v1.2.0")).image().imageId().imageDigest();
        ObjectNode indexPush = (ObjectNode) Json.tree(RequestLedgerEvents.file("ecr-push-image-index.json"));
        ((ObjectNode) indexPush.get("detail")).put("image-digest", indexDigest);
        DeployRequest multiArch = Json.convert(invoke(handler, prepareDocument(indexPush, "image-index")), DeployRequest.class);
        assertEquals(Decision.PROCEED, multiArch.decision(), multiArch.decisionReason());
        assertEquals(world.repositoryUri + "@" + indexDigest, multiArch.image(), "the index deploys by its digest");
    }

    private String prepareDocument(JsonNode input, String executionName) {
        return RequestLedgerEvents.execution(world, input.toString(), executionName);
    }

    @Test
    void theRollbackSampleReturnsToThePreviousRevision() {
        String v2 = liveRevision("v1.1.0");
        new DynamoLedger(world.dynamo, World.TABLE).putHistory("pushdeploy/web",
                history("2025-01-01T00:00:00.000Z", "a", Outcome.SUCCEEDED, v2, world.liveTaskDefinition));
        DeployRequest r = prepare(new PrepareHandler(), "manual-rollback.json");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(world.liveTaskDefinition, r.targetTaskDefinition());
        assertEquals(v2, r.previousTaskDefinition());
        assertEquals(world.repositoryUri + "@" + V1_0_0, r.image());
        assertFalse(r.register() || r.rotate());
        assertEquals("v1.1.0 breaks checkout", r.reason());
    }

    @Test
    void rollbackToPreviousReadsTheHistoryInTheTable() {
        String broken = liveRevision("v1.1.0");
        String v3 = liveRevision("v1.2.0");
        DynamoLedger ledger = new DynamoLedger(world.dynamo, World.TABLE);
        ledger.putHistory("pushdeploy/web", history("2025-01-01T00:00:00.000Z", "a", Outcome.SUCCEEDED, world.liveTaskDefinition, null));
        ledger.putHistory("pushdeploy/web", history("2025-01-02T00:00:00.000Z", "b", Outcome.ROLLED_BACK, world.liveTaskDefinition, world.liveTaskDefinition));
        ledger.putHistory("pushdeploy/web", history("2025-01-03T00:00:00.000Z", "c", Outcome.SUCCEEDED, v3, world.liveTaskDefinition));

        DeployRequest r = prepare(new PrepareHandler(), "manual-rollback.json");

        assertEquals(world.liveTaskDefinition, r.targetTaskDefinition(), broken + " never went live; web:1 was live before web:3");
    }

    @Test
    void aDigestAlreadyLiveOrLockedIsIgnored() {
        world.pushImage("v1.1.0");
        String livePush = Json.tree(RequestLedgerEvents.file("ecr-push.json")).toString()
                .replace(V1_1_0, V1_0_0).replace("v1.1.0", "v1.0.0");
        DeployRequest live = Json.convert(invoke(new PrepareHandler(), RequestLedgerEvents.execution(world, livePush, "dup-1")), DeployRequest.class);
        assertEquals(Decision.IGNORED, live.decision());
        assertEquals(V1_0_0 + " is already live in pushdeploy/web (web:1)", live.decisionReason());

        DeployRequest first = prepare(new PrepareHandler(), "ecr-push.json");
        JsonNode lock = invoke(new LockHandler(), Json.write(new LockHandler.Input(first)));
        assertEquals("ACQUIRED", lock.path("status").asText());
        DeployRequest again = Json.convert(invoke(new PrepareHandler(), prepareInput(world, "ecr-push.json", "duplicate-event")), DeployRequest.class);
        assertEquals(Decision.IGNORED, again.decision());
        assertEquals(V1_1_0 + " is already in flight for pushdeploy/web (request ecr-push)", again.decisionReason());
    }

    @Test
    void prepareNeverMutates() {
        world.pushImage("v1.1.0");
        liveRevision("v1.2.0");
        RequestLedgerEvents.CallRecorder recorder = new RequestLedgerEvents.CallRecorder();
        SfnClient sfn = world.emulator.client(SfnClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)));
        PrepareHandler handler = new PrepareHandler(
                new SsmConfigSource(world.emulator.client(SsmClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder))), World.CONFIG_PARAMETER),
                new SfnExecutions(() -> sfn),
                new EcrRegistry(world.emulator.client(EcrClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))),
                new SdkEcsServices(world.emulator.client(EcsClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))),
                new EcsTaskDefinitions(world.emulator.client(EcsClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))),
                new DynamoLedger(world.emulator.client(DynamoDbClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder))), World.TABLE),
                new CloudWatchAlarmStates(() -> world.emulator.client(CloudWatchClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))),
                new SsmSlotParameters(() -> world.emulator.client(SsmClient.builder().overrideConfiguration(c -> c.addExecutionInterceptor(recorder)))),
                Clock.systemUTC());
        String before = snapshot();

        List<String> inputs = List.of(
                Json.tree(RequestLedgerEvents.file("ecr-push.json")).toString(),
                RequestLedgerEvents.file("ecr-push-latest.json"), RequestLedgerEvents.file("ecr-push-delete.json"),
                RequestLedgerEvents.file("manual-deploy.json"), RequestLedgerEvents.file("manual-deploy-tag.json"),
                RequestLedgerEvents.file("manual-rollback.json"), RequestLedgerEvents.file("manual-rotate.json"),
                "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"web:1\"}",
                "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"web:99\"}",
                "{\"action\":\"deploy\",\"image\":\"web@sha256:" + "0".repeat(64) + "\"}",
                "{\"action\":\"deploy\",\"image\":\"web:v9.9.9\"}",
                "{\"action\":\"deploy\",\"image\":\"nope@sha256:" + "0".repeat(64) + "\"}",
                "{\"action\":\"deploy\",\"image\":\"web@sha256:" + "0".repeat(64) + "\",\"reason\":\"" + "x".repeat(300) + "\"}",
                "{\"action\":\"rotate\",\"service\":\"pushdeploy/nope\"}",
                "{\"action\":\"launch\"}", "[]", "\"deploy\"");
        int proceeded = 0;
        for (int i = 0; i < inputs.size(); i++) {
            DeployRequest r = Json.convert(invoke(handler, RequestLedgerEvents.execution(world, inputs.get(i), "m-" + i)), DeployRequest.class);
            proceeded += r.decision() == Decision.PROCEED ? 1 : 0;
        }

        assertEquals(5, proceeded, "push, manual deploy ×2, rollback to web:1, rotate; 'previous' is refused: no history names a revision live before");
        Set<String> reads = Set.of("Sfn:DescribeExecution", "Ssm:GetParameter", "Ssm:GetParameters", "Ecr:DescribeRepositories", "Ecr:DescribeImages", "Ecs:DescribeServices",
                "Ecs:DescribeTaskDefinition", "Ecs:ListTaskDefinitions", "DynamoDb:GetItem", "DynamoDb:Query");
        Set<String> made = new TreeSet<>(recorder.calls);
        assertTrue(reads.containsAll(made), "only reads, but made " + made);
        assertTrue(made.contains("DynamoDb:Query") && made.contains("Ecr:DescribeImages"), "the recorder saw the calls: " + made);
        assertEquals(before, snapshot(), "the emulator's state is unchanged");
    }

    private DeployRequest prepare(PrepareHandler handler, String file) {
        return Json.convert(invoke(handler, prepareInput(world, file, file.replace(".json", ""))), DeployRequest.class);
    }

    /** Registers a new revision of web with the image of {@code tag} (pushed here) and makes the service run it. */
    private String liveRevision(String tag) {
        String digest = world.pushImage(tag);
        var live = world.ecs.describeTaskDefinition(r -> r.taskDefinition(world.liveTaskDefinition)).taskDefinition();
        String arn = world.ecs.registerTaskDefinition(r -> r.family("web").networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE).cpu("256").memory("512")
                        .executionRoleArn(live.executionRoleArn()).taskRoleArn(live.taskRoleArn())
                        .containerDefinitions(live.containerDefinitions().get(0).toBuilder().image(world.repositoryUri + "@" + digest).build()))
                .taskDefinition().taskDefinitionArn();
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(arn));
        return arn;
    }

    private static HistoryItem history(String time, String id, Outcome outcome, String taskDefinition, String previous) {
        return new HistoryItem("hist#" + time + "#" + id, id, Action.DEPLOY, "ecr", outcome, "test", null, null, null, null, null,
                taskDefinition, previous, taskDefinition, outcome == Outcome.SUCCEEDED || outcome == Outcome.ROLLED_BACK ? taskDefinition : null, null,
                null, List.of(), List.of(), List.of(), time, "Finalize", null, true);
    }

    /** Everything Prepare could have changed: revisions, the service, the table, the parameters, the images. */
    private String snapshot() {
        var tds = world.ecs.listTaskDefinitions(r -> r.familyPrefix("web")).taskDefinitionArns();
        var inactive = world.ecs.listTaskDefinitions(r -> r.familyPrefix("web").status("INACTIVE")).taskDefinitionArns();
        var service = world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE)).services().get(0);
        var items = world.dynamo.scan(r -> r.tableName(World.TABLE)).items();
        var parameters = world.ssm.describeParameters().parameters().stream().map(p -> p.name() + "@" + p.version()).sorted().toList();
        var images = world.ecr.describeImages(r -> r.repositoryName("web")).imageDetails().stream()
                .map(d -> d.imageDigest() + d.imageTags()).sorted().toList();
        return String.join("\n", tds.toString(), inactive.toString(), service.taskDefinition(), service.deployments().toString(),
                items.toString(), parameters.toString(), images.toString());
    }
}
