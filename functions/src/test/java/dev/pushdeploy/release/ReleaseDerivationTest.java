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
import dev.pushdeploy.model.TaskDefinition;
import dev.pushdeploy.model.TaskDefinition.Container;
import dev.pushdeploy.testing.SampleStack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ReleaseDerivationTest {
    static final String LIVE_IMAGE = Requests.REPOSITORY_URI + "@sha256:" + "11".repeat(32);
    static final String KEY = SampleStack.SIGNING_KEY_PARAMETER;
    static final String LIVE_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:7";

    static Container app(String environment, String secrets) {
        return new Container("app", LIVE_IMAGE, true, pairs(environment), pairs(secrets));
    }

    static TaskDefinition live(Container app, Map<String, String> tags) {
        return new TaskDefinition(LIVE_ARN, SampleStack.SERVICE, 7, true, SampleStack.TASK_CPU, SampleStack.TASK_MEMORY,
                List.of(app, new Container("proxy", "envoy:v1.30", true, Map.of("A", "1"), Map.of())), tags);
    }

    static final Map<String, String> LIVE_TAGS = pairs("team=payments;aws:cloudformation:stack-name=web;"
            + "pushdeploy:request-id=older-request;pushdeploy:reason=older reason");
    static final TaskDefinition LIVE = live(app("PORT=" + SampleStack.CONTAINER_PORT, "APP_SIGNING_KEY=" + KEY + "/a"), LIVE_TAGS);
    static final List<SecretSlot> SIGNING_KEY_B = List.of(new SecretSlot("APP_SIGNING_KEY", "b", KEY + "/b", 3L, null, null));

    @Test
    void changesTheTargetContainerOfTheLiveRevision() {
        RevisionChange change = ReleaseDerivation.derive(LIVE, Requests.deploy("req-1", null), SIGNING_KEY_B, "app");

        assertEquals(LIVE_ARN, change.base());
        assertEquals("web", change.family());
        assertEquals("app", change.container());
        assertEquals(Requests.IMAGE, change.image());
        assertEquals(Map.of("APP_SIGNING_KEY", KEY + "/b"), change.secrets());
    }

    @Test
    void aRotationKeepsTheLiveImage() {
        DeployRequest rotate = Requests.rotate("req-2", LIVE.arn());

        RevisionChange change = ReleaseDerivation.derive(LIVE, rotate, SIGNING_KEY_B, "app");

        assertEquals(LIVE_IMAGE, change.image());
        assertEquals(KEY + "/b", change.secrets().get("APP_SIGNING_KEY"));
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
                () -> ReleaseDerivation.derive(LIVE, request, List.of(), "app"));
        assertEquals("image", e.field());
    }

    @Test
    void aMissingTargetContainerIsAConfigurationError() {
        assertThrows(ConfigurationException.class,
                () -> ReleaseDerivation.derive(LIVE, Requests.deploy("req-1", null), List.of(), "worker"));
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
        TaskDefinition live = live(app(environment, secrets), Map.of());

        RevisionChange change = ReleaseDerivation.derive(live, Requests.deploy("req-1", null), slots(slots), "app");

        String expectedEnv = expectedEnvironment == null ? "" : expectedEnvironment.replace("<image>", Requests.IMAGE);
        if (!expectedEnv.contains("PUSHDEPLOY_RELEASE")) {
            expectedEnv += (expectedEnv.isEmpty() ? "" : ";") + "PUSHDEPLOY_RELEASE=req-1;PUSHDEPLOY_IMAGE=" + Requests.IMAGE;
        }
        assertEquals(expectedEnv, text(change.environment()));
        assertEquals(expectedSecrets == null ? "" : expectedSecrets, text(change.secrets()));
    }

    @Test
    void tagsTheReleaseAndKeepsTheLiveRevisionsOwnTags() {
        RevisionChange change = ReleaseDerivation.derive(LIVE,
                Requests.deploy("req-1", null, Requests.IMAGE, "push of v1.0.1 by \"ci\" <bot>\n(retry #2)"), List.of(), "app");

        assertEquals("team=payments;pushdeploy:request-id=req-1;pushdeploy:derived-from=" + LIVE_ARN + ";pushdeploy:image-digest=" + Requests.DIGEST
                + ";pushdeploy:reason=push of v1.0.1 by ci bot retry 2", text(change.tags()));
    }

    @Test
    void aReleaseWithoutReasonHasNoReasonTag() {
        RevisionChange change = ReleaseDerivation.derive(live(LIVE.containers().get(0), Map.of()),
                Requests.deploy("req-1", null, Requests.IMAGE, null), List.of(), "app");

        assertEquals(List.of("pushdeploy:request-id", "pushdeploy:derived-from", "pushdeploy:image-digest"), List.copyOf(change.tags().keySet()));
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

    /**
     * ECS accepts at most 50 tags on a task definition (AWS's own {@code aws:} tags aside): a live revision with 47 tags of
     * its own derives a release with 46 of them and the pipeline's four (RegisterTaskDefinition would refuse 51).
     */
    @Test
    void aReleaseCarriesNoMoreTagsThanEcsAcceptsWhenItsLiveRevisionCarriedAsManyAsBefore() {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 1; i <= 47; i++) {
            tags.put("org:tag-" + i, "value-" + i);
        }
        tags.put("aws:cloudformation:stack-name", "web");
        tags.put("pushdeploy:request-id", "older-request");
        TaskDefinition crowded = live(app("PORT=" + SampleStack.CONTAINER_PORT, "APP_SIGNING_KEY=" + KEY + "/a"), tags);

        RevisionChange change = ReleaseDerivation.derive(crowded, Requests.deploy("req-1", null), SIGNING_KEY_B, "app");

        long counted = change.tags().keySet().stream().filter(k -> !k.regionMatches(true, 0, "aws:", 0, 4)).count();
        assertTrue(counted <= 50, "the release carries " + counted + " tags, more than the 50 ECS accepts: " + change.tags().keySet()
                .stream().filter(k -> k.startsWith("pushdeploy:")).toList());
    }

    /** {@code NAME=value} entries separated by {@code ;}, in map order. */
    private static String text(Map<String, String> map) {
        return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
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

    /** {@code NAME=value} entries separated by {@code ;}, kept in order. */
    static Map<String, String> pairs(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text != null && !text.isEmpty()) {
            Arrays.stream(text.split(";")).map(kv -> kv.split("=", 2)).forEach(kv -> pairs.put(kv[0], kv[1]));
        }
        return pairs;
    }
}
