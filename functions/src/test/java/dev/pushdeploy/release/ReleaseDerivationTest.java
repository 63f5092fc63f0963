package dev.pushdeploy.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.secrets.Requests;
import dev.pushdeploy.model.SecretSlot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.CPUArchitecture;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.OSFamily;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

class ReleaseDerivationTest {
    static final String LIVE_IMAGE = Requests.REPOSITORY_URI + "@sha256:" + "11".repeat(32);
    static final String KEY = "/pushdeploy/web/app-signing-key";

    static ContainerDefinition app(String environment, String secrets) {
        return ContainerDefinition.builder()
                .name("app")
                .image(LIVE_IMAGE)
                .essential(true)
                .portMappings(p -> p.containerPort(8080))
                .environment(pairs(environment).stream()
                        .map(kv -> KeyValuePair.builder().name(kv[0]).value(kv[1]).build()).toList())
                .secrets(pairs(secrets).stream()
                        .map(kv -> Secret.builder().name(kv[0]).valueFrom(kv[1]).build()).toList())
                .build();
    }

    static TaskDefinition live(ContainerDefinition app) {
        return TaskDefinition.builder()
                .taskDefinitionArn("arn:aws:ecs:us-east-1:123456789012:task-definition/web:7")
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
                .containerDefinitions(app, ContainerDefinition.builder().name("proxy").image("envoy:v1.30").build())
                .build();
    }

    static final TaskDefinition LIVE = live(app("PORT=8080", "APP_SIGNING_KEY=" + KEY + "/a"));
    static final List<Tag> LIVE_TAGS = List.of(tag("team", "payments"), tag("aws:cloudformation:stack-name", "web"),
            tag("pushdeploy:request-id", "older-request"), tag("pushdeploy:reason", "older reason"));
    static final List<SecretSlot> SIGNING_KEY_B = List.of(new SecretSlot("APP_SIGNING_KEY", "b", KEY + "/b", 3L, null, null));

    @Test
    void swapsTheTargetImageAndCopiesEveryWritableField() {
        ReleaseDerivation.Derived derived = ReleaseDerivation.derive(LIVE, LIVE_TAGS, Requests.deploy("req-1", null), SIGNING_KEY_B, "app");
        RegisterTaskDefinitionRequest r = derived.request();

        assertEquals(Requests.IMAGE, derived.image());
        assertEquals(Requests.IMAGE, container(r, "app").image());
        assertEquals(LIVE.containerDefinitions().get(1), container(r, "proxy"), "other containers are copied as they are");
        assertEquals("web", r.family());
        assertEquals(LIVE.taskRoleArn(), r.taskRoleArn());
        assertEquals(LIVE.executionRoleArn(), r.executionRoleArn());
        assertEquals(NetworkMode.AWSVPC, r.networkMode());
        assertEquals(List.of(Compatibility.FARGATE), r.requiresCompatibilities());
        assertEquals("256", r.cpu());
        assertEquals("512", r.memory());
        assertEquals(LIVE.volumes(), r.volumes());
        assertEquals(LIVE.ephemeralStorage(), r.ephemeralStorage());
        assertEquals(LIVE.runtimePlatform(), r.runtimePlatform());
        assertEquals(true, container(r, "app").essential());
        assertEquals(LIVE.containerDefinitions().get(0).portMappings(), container(r, "app").portMappings());
        assertTrue(!r.hasPlacementConstraints() && !r.hasInferenceAccelerators() && r.proxyConfiguration() == null,
                "absent optional fields stay absent");
    }

    @Test
    void aRotationKeepsTheLiveImage() {
        DeployRequest rotate = Requests.rotate("req-2", LIVE.taskDefinitionArn());

        ReleaseDerivation.Derived derived = ReleaseDerivation.derive(LIVE, List.of(), rotate, SIGNING_KEY_B, "app");

        assertEquals(LIVE_IMAGE, derived.image());
        assertEquals(LIVE_IMAGE, container(derived.request(), "app").image());
        assertEquals(KEY + "/b", container(derived.request(), "app").secrets().get(0).valueFrom());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1.0.1",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abc",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1@sha256:abababababababababababababababababababababababababababababababab ",
            "@sha256:abababababababababababababababababababababababababababababababab",
    })
    void aDeployNeedsADigestReference(String image) {
        DeployRequest request = Requests.deploy("req-1", null, image, null);

        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> ReleaseDerivation.derive(LIVE, List.of(), request, List.of(), "app"));
        assertEquals("image", e.field());
    }

    @Test
    void aMissingTargetContainerIsAConfigurationError() {
        assertThrows(ConfigurationException.class,
                () -> ReleaseDerivation.derive(LIVE, List.of(), Requests.deploy("req-1", null), List.of(), "worker"));
    }

    /** Live container environment and secrets, the rotated slots, and what the new container gets. */
    @ParameterizedTest(name = "[{index}] {0} / {1} + {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // one random secret moves a → b
            "PORT=8080 | APP_SIGNING_KEY=/k/a | APP_SIGNING_KEY:/k/b | PORT=8080 | APP_SIGNING_KEY=/k/b",
            // an ARN stays an ARN, region and account kept
            "PORT=8080 | APP_SIGNING_KEY=arn:aws:ssm:eu-west-1:210987654321:parameter/k/b | APP_SIGNING_KEY:/k/a"
                    + " | PORT=8080 | APP_SIGNING_KEY=arn:aws:ssm:eu-west-1:210987654321:parameter/k/a",
            // nothing rotated: secrets as they are
            "PORT=8080 | APP_SIGNING_KEY=/k/a;OTHER=/o | - | PORT=8080 | APP_SIGNING_KEY=/k/a;OTHER=/o",
            // unrelated secrets keep their place; a new managed secret is appended
            "- | OTHER=/o;APP_SIGNING_KEY=/k/b | APP_SIGNING_KEY:/k/a;NEW_KEY:/n/a | - | OTHER=/o;APP_SIGNING_KEY=/k/a;NEW_KEY=/n/a",
            // postgres: the password is a secret, the username a plain variable
            "PORT=8080 | DB_PASSWORD=/db/a | DB_PASSWORD:/db/b:DB_USER:app_b | PORT=8080;DB_USER=app_b | DB_PASSWORD=/db/b",
            // a username variable that was a secret, or a stale one, is replaced
            "DB_USER=app_a;PORT=8080 | DB_PASSWORD=/db/a | DB_PASSWORD:/db/b:DB_USER:app_b | DB_USER=app_b;PORT=8080 | DB_PASSWORD=/db/b",
            "PORT=8080 | DB_USER=/db/user;DB_PASSWORD=/db/a | DB_PASSWORD:/db/b:DB_USER:app_b | PORT=8080;DB_USER=app_b | DB_PASSWORD=/db/b",
            // a managed secret that used to be a plain variable becomes a secret only
            "APP_SIGNING_KEY=plain;PORT=8080 | - | APP_SIGNING_KEY:/k/a | PORT=8080 | APP_SIGNING_KEY=/k/a",
            // release variables are replaced, never duplicated
            "PUSHDEPLOY_RELEASE=old;PORT=8080;PUSHDEPLOY_IMAGE=old | - | - | PUSHDEPLOY_RELEASE=req-1;PORT=8080;PUSHDEPLOY_IMAGE=<image> | -",
    })
    void pointsSecretsAtTheNewSlotsAndStampsTheEnvironment(String environment, String secrets, String slots,
                                                         String expectedEnvironment, String expectedSecrets) {
        TaskDefinition live = live(app(environment, secrets));

        ContainerDefinition app = container(
                ReleaseDerivation.derive(live, List.of(), Requests.deploy("req-1", null), slots(slots), "app").request(), "app");

        String expectedEnv = expectedEnvironment == null ? "" : expectedEnvironment.replace("<image>", Requests.IMAGE);
        if (!expectedEnv.contains("PUSHDEPLOY_RELEASE")) {
            expectedEnv += (expectedEnv.isEmpty() ? "" : ";") + "PUSHDEPLOY_RELEASE=req-1;PUSHDEPLOY_IMAGE=" + Requests.IMAGE;
        }
        assertEquals(expectedEnv, app.environment().stream().map(kv -> kv.name() + "=" + kv.value()).collect(Collectors.joining(";")));
        assertEquals(expectedSecrets == null ? "" : expectedSecrets,
                app.secrets().stream().map(s -> s.name() + "=" + s.valueFrom()).collect(Collectors.joining(";")));
    }

    @Test
    void tagsTheReleaseAndKeepsTheLiveRevisionsOwnTags() {
        RegisterTaskDefinitionRequest r = ReleaseDerivation.derive(LIVE, LIVE_TAGS,
                Requests.deploy("req-1", null, Requests.IMAGE, "push of v1.0.1 by \"ci\" <bot>\n(retry #2)"), List.of(), "app").request();

        assertEquals(List.of(tag("team", "payments"), tag("pushdeploy:request-id", "req-1"),
                tag("pushdeploy:image-digest", Requests.DIGEST),
                tag("pushdeploy:reason", "push of v1.0.1 by ci bot retry 2")), r.tags());
    }

    @Test
    void aReleaseWithoutReasonHasNoReasonTag() {
        RegisterTaskDefinitionRequest r = ReleaseDerivation.derive(LIVE, List.of(),
                Requests.deploy("req-1", null, Requests.IMAGE, null), List.of(), "app").request();

        assertEquals(List.of("pushdeploy:request-id", "pushdeploy:image-digest"), r.tags().stream().map(Tag::key).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "push of v1.0.1                 | push of v1.0.1",
            "manual: roll forward @ops/a+b=c | manual: roll forward @ops/a+b=c",
            "'  tabs\tand\nnewlines  '      | tabs and newlines",
            "\"quoted\" & <angle> {braces}  | quoted angle braces",
            "déploiement ✓ 完了             | déploiement 完了",
            "$%^&*                          | ''",
            "-                              | ''",
    })
    void sanitisesTagValues(String text, String expected) {
        assertEquals(expected, ReleaseDerivation.tagValue(text));
    }

    @Test
    void truncatesLongTagValuesTo256Characters() {
        String value = ReleaseDerivation.tagValue("x".repeat(250) + " 𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀");

        assertEquals(256, value.codePointCount(0, value.length()));
        assertTrue(value.endsWith("𠀀"), "surrogate pairs are not split");
    }

    @Test
    void digestOfAnImageReference() {
        assertEquals(Requests.DIGEST, ReleaseDerivation.digest(Requests.IMAGE).orElseThrow());
        assertNull(ReleaseDerivation.digest("nginx:1.27").orElse(null));
    }

    private static ContainerDefinition container(RegisterTaskDefinitionRequest r, String name) {
        return r.containerDefinitions().stream().filter(c -> name.equals(c.name())).findFirst().orElseThrow();
    }

    /** {@code NAME:parameter[:usernameEnv:username]} entries separated by {@code ;}. */
    private static List<SecretSlot> slots(String text) {
        List<SecretSlot> slots = new ArrayList<>();
        if (text != null) {
            for (String entry : text.split(";")) {
                String[] f = entry.split(":");
                slots.add(new SecretSlot(f[0], f[1].substring(f[1].length() - 1), f[1], 1L,
                        f.length > 2 ? f[2] : null, f.length > 3 ? f[3] : null));
            }
        }
        return slots;
    }

    private static List<String[]> pairs(String text) {
        return text == null || text.isEmpty() ? List.of()
                : Arrays.stream(text.split(";")).map(kv -> kv.split("=", 2)).toList();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }
}
