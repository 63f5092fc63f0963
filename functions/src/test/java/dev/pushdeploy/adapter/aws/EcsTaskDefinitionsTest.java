package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.release.RevisionChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.services.ecs.model.CPUArchitecture;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsRequest;
import software.amazon.awssdk.services.ecs.model.ListTaskDefinitionsResponse;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.OSFamily;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.ServerException;
import software.amazon.awssdk.services.ecs.model.SortOrder;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

/**
 * The ECS adapter under real ECS semantics, which moto does not reproduce: a family prefix also
 * matches longer families, DESC sorts families in reverse order before revisions, results are
 * paged; and a change applied onto a described revision copies only writable fields.
 */
class EcsTaskDefinitionsTest {
    static final String PREFIX = "arn:aws:ecs:us-east-1:123456789012:task-definition/";

    /** ECS's DESC order for prefix "web": web-worker (lexically after web) first, then web, newest first. */
    final List<String> ecsOrder = new ArrayList<>();
    final List<ListTaskDefinitionsRequest> requests = new ArrayList<>();
    int pageSize = 3;

    /** An ECS client answering only what a test overrides. */
    abstract static class EcsFake implements EcsClient {
        @Override
        public String serviceName() {
            return "ecs";
        }

        @Override
        public void close() {
        }
    }

    final EcsClient ecs = new EcsFake() {
        @Override
        public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
            requests.add(request);
            int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
            int to = Math.min(ecsOrder.size(), from + pageSize);
            return ListTaskDefinitionsResponse.builder()
                    .taskDefinitionArns(ecsOrder.subList(from, to))
                    .nextToken(to < ecsOrder.size() ? String.valueOf(to) : null)
                    .build();
        }
    };

    @Test
    void pagesPastLongerFamiliesAndListsTheFamilyNewestFirst() {
        IntStream.of(4, 3, 2, 1).forEach(r -> ecsOrder.add(PREFIX + "web-worker:" + r));
        IntStream.rangeClosed(1, 9).map(r -> 10 - r).forEach(r -> ecsOrder.add(PREFIX + "web:" + r));

        List<String> active = new EcsTaskDefinitions(ecs).activeRevisions("web");

        assertEquals(IntStream.rangeClosed(1, 9).map(r -> 10 - r).mapToObj(r -> PREFIX + "web:" + r).toList(), active);
        assertEquals(5, requests.size(), "every page");
        assertEquals(SortOrder.DESC, requests.get(0).sort());
        assertEquals("web", requests.get(0).familyPrefix());
    }

    /** moto: one unpaged, unsorted answer. */
    @Test
    void sortsItselfWhenTheServiceDoesNot() {
        pageSize = Integer.MAX_VALUE;
        IntStream.rangeClosed(1, 4).forEach(r -> ecsOrder.add(PREFIX + "web:" + r));

        assertEquals(List.of(PREFIX + "web:4", PREFIX + "web:3", PREFIX + "web:2", PREFIX + "web:1"),
                new EcsTaskDefinitions(ecs).activeRevisions("web"));
    }

    @Test
    void aFamilyWithNoRevisionsHasNone() {
        ecsOrder.add(PREFIX + "web-worker:1");

        assertEquals(List.of(), new EcsTaskDefinitions(ecs).activeRevisions("web"));
    }

    @Test
    void readsAtMostMaxPages() {
        pageSize = 1;
        IntStream.rangeClosed(1, EcsTaskDefinitions.MAX_PAGES + 5).forEach(r -> ecsOrder.add(PREFIX + "web:" + r));

        assertEquals(EcsTaskDefinitions.MAX_PAGES, new EcsTaskDefinitions(ecs).activeRevisions("web").size());
        assertEquals(EcsTaskDefinitions.MAX_PAGES, requests.size());
    }

    @Test
    void sdkErrorsBecomeDomainErrorsNamingTheCall() {
        EcsClient failing = new EcsFake() {
            int calls;

            @Override
            public ListTaskDefinitionsResponse listTaskDefinitions(ListTaskDefinitionsRequest request) {
                if (calls++ == 0) {
                    throw ServerException.builder().statusCode(500)
                            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServerException").errorMessage("boom").build()).build();
                }
                throw ClientException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ClientException").errorMessage("denied").build()).build();
            }
        };
        EcsTaskDefinitions definitions = new EcsTaskDefinitions(failing);

        TransientException retry = assertThrows(TransientException.class, () -> definitions.activeRevisions("web"));
        AwsFailureException fail = assertThrows(AwsFailureException.class, () -> definitions.activeRevisions("web"));

        assertEquals("ecs:ListTaskDefinitions web failed transiently: ServerException: boom", retry.getMessage());
        assertEquals("ecs:ListTaskDefinitions web failed: ClientException: denied", fail.getMessage());
    }

    // ---- applying a change

    static final String BASE_ARN = PREFIX + "web:7";

    static ContainerDefinition app() {
        return ContainerDefinition.builder()
                .name("app")
                .image("web@sha256:" + "11".repeat(32))
                .essential(true)
                .portMappings(p -> p.containerPort(8080))
                .environment(KeyValuePair.builder().name("PORT").value("8080").build())
                .secrets(Secret.builder().name("APP_SIGNING_KEY").valueFrom("/k/a").build())
                .build();
    }

    static TaskDefinition base() {
        return TaskDefinition.builder()
                .taskDefinitionArn(BASE_ARN)
                .family("web")
                .revision(7)
                .status(TaskDefinitionStatus.ACTIVE)
                .registeredAt(Instant.parse("2024-01-01T00:00:00Z"))
                .registeredBy("arn:aws:iam::123456789012:role/pipeline")
                .compatibilities(Compatibility.EC2, Compatibility.FARGATE)
                .requiresAttributes(a -> a.name("com.amazonaws.ecs.capability.task-eni"))
                .taskRoleArn("arn:aws:iam::123456789012:role/web-task")
                .executionRoleArn("arn:aws:iam::123456789012:role/web-execution")
                .networkMode(NetworkMode.AWSVPC)
                .requiresCompatibilities(Compatibility.FARGATE)
                .cpu("256")
                .memory("512")
                .volumes(v -> v.name("scratch"))
                .ephemeralStorage(e -> e.sizeInGiB(30))
                .runtimePlatform(r -> r.cpuArchitecture(CPUArchitecture.ARM64).operatingSystemFamily(OSFamily.LINUX))
                .containerDefinitions(app(), ContainerDefinition.builder().name("proxy").image("envoy:v1.30").build())
                .build();
    }

    static final RevisionChange CHANGE = new RevisionChange(BASE_ARN, "web", "app", "web@sha256:" + "22".repeat(32),
            new LinkedHashMap<>(Map.of("PORT", "8080")), Map.of("APP_SIGNING_KEY", "/k/b"), Map.of("pushdeploy:request-id", "req-1"));

    @Test
    void aChangeReplacesTheTargetContainersImageEnvironmentAndSecretsAndCopiesEveryWritableField() {
        TaskDefinition base = base();
        RegisterTaskDefinitionRequest r = EcsTaskDefinitions.registration(base, CHANGE);

        ContainerDefinition app = r.containerDefinitions().get(0);
        assertEquals(CHANGE.image(), app.image());
        assertEquals(List.of(KeyValuePair.builder().name("PORT").value("8080").build()), app.environment());
        assertEquals(List.of(Secret.builder().name("APP_SIGNING_KEY").valueFrom("/k/b").build()), app.secrets());
        assertEquals(true, app.essential());
        assertEquals(base.containerDefinitions().get(0).portMappings(), app.portMappings());
        assertEquals(base.containerDefinitions().get(1), r.containerDefinitions().get(1), "other containers are copied as they are");
        assertEquals("web", r.family());
        assertEquals(base.taskRoleArn(), r.taskRoleArn());
        assertEquals(base.executionRoleArn(), r.executionRoleArn());
        assertEquals(NetworkMode.AWSVPC, r.networkMode());
        assertEquals(List.of(Compatibility.FARGATE), r.requiresCompatibilities());
        assertEquals("256", r.cpu());
        assertEquals("512", r.memory());
        assertEquals(base.volumes(), r.volumes());
        assertEquals(base.ephemeralStorage(), r.ephemeralStorage());
        assertEquals(base.runtimePlatform(), r.runtimePlatform());
        assertEquals(List.of(Tag.builder().key("pushdeploy:request-id").value("req-1").build()), r.tags());
        assertTrue(!r.hasPlacementConstraints() && !r.hasInferenceAccelerators() && r.proxyConfiguration() == null,
                "absent optional fields stay absent");
    }

    /** Every field of the request is one the base revision has, or the change's tags: nothing read-only leaks in. */
    @Test
    void onlyWritableFieldsReachTheRegistration() {
        RegisterTaskDefinitionRequest r = EcsTaskDefinitions.registration(base(), CHANGE);
        List<String> set = r.sdkFields().stream()
                .filter(f -> f.getValueOrDefault(r) != null && !(f.getValueOrDefault(r) instanceof SdkAutoConstructList<?>))
                .map(SdkField::memberName).sorted().toList();

        assertEquals(List.of("containerDefinitions", "cpu", "ephemeralStorage", "executionRoleArn", "family", "memory",
                "networkMode", "requiresCompatibilities", "runtimePlatform", "tags", "taskRoleArn", "volumes"), set);
    }

    @Test
    void theModelKeepsWhatThePipelineReads() {
        var model = EcsTaskDefinitions.model(base(), List.of(Tag.builder().key("team").value("payments").build()));

        assertEquals(BASE_ARN, model.arn());
        assertEquals("web:7", model.shortName());
        assertTrue(model.active());
        assertEquals("256", model.cpu());
        assertEquals(Map.of("PORT", "8080"), model.container("app").orElseThrow().environment());
        assertEquals(Map.of("APP_SIGNING_KEY", "/k/a"), model.container("app").orElseThrow().secrets());
        assertTrue(model.container("proxy").orElseThrow().essential(), "essential defaults to true");
        assertEquals(Map.of("team", "payments"), model.tags());
    }

    /** A fake ECS describing every revision ARN as {@link #base()}: records the descriptions, registers revision 8. */
    static final class OneRevision extends EcsFake {
        final List<String> described = new ArrayList<>();
        final List<RegisterTaskDefinitionRequest> registered = new ArrayList<>();

        @Override
        public DescribeTaskDefinitionResponse describeTaskDefinition(DescribeTaskDefinitionRequest request) {
            described.add(request.taskDefinition());
            return DescribeTaskDefinitionResponse.builder()
                    .taskDefinition(base().toBuilder().taskDefinitionArn(request.taskDefinition()).build()).build();
        }

        @Override
        public RegisterTaskDefinitionResponse registerTaskDefinition(RegisterTaskDefinitionRequest request) {
            registered.add(request);
            return RegisterTaskDefinitionResponse.builder().taskDefinition(base().toBuilder()
                    .taskDefinitionArn(PREFIX + "web:8").revision(8).build()).tags(request.tags()).build();
        }
    }

    @Test
    void aRevisionFoundByItsArnIsTheBaseOfTheNextRegistrationWithoutDescribingItAgain() {
        OneRevision ecs = new OneRevision();
        EcsTaskDefinitions definitions = new EcsTaskDefinitions(ecs);

        definitions.find(BASE_ARN).orElseThrow();
        var registered = definitions.register(CHANGE);

        assertEquals(List.of(BASE_ARN), ecs.described);
        assertEquals(EcsTaskDefinitions.registration(base(), CHANGE), ecs.registered.get(0));
        assertEquals(PREFIX + "web:8", registered.arn());
    }

    @Test
    void aBaseOtherThanTheRevisionLastFoundIsDescribedForTheRegistration() {
        OneRevision ecs = new OneRevision();
        EcsTaskDefinitions definitions = new EcsTaskDefinitions(ecs);

        definitions.find(PREFIX + "web:6").orElseThrow();
        definitions.register(CHANGE);

        assertEquals(List.of(PREFIX + "web:6", BASE_ARN), ecs.described);
        assertEquals(EcsTaskDefinitions.registration(base(), CHANGE), ecs.registered.get(0));
    }
}
