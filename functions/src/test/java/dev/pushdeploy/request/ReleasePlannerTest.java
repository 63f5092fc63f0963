package dev.pushdeploy.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.ReleasePlan;
import dev.pushdeploy.testing.SampleStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A manifest becomes one pinned image per service, or is rejected naming the field, before anything is written. */
class ReleasePlannerTest {
    static final String WEB_DIGEST = "sha256:" + SampleStack.sha256("web v1.4.0");
    static final String API_DIGEST = "sha256:" + SampleStack.sha256("api v2.0.0");
    static final Instant PUSHED = Instant.parse("2025-01-02T10:00:00Z");
    static final String TWO_SERVICES = SampleStack.configDocument(null).replace("\"keepRevisions\": 3}]}", """
            "keepRevisions": 3},
             {"repository": "api", "cluster": "pushdeploy", "service": "api", "container": "app", "tagPattern": "v[0-9.]+",
              "secrets": [], "health": {"expectedStatus": 200, "bakeSeconds": 0, "deadlineSeconds": 600}, "keepRevisions": 3}]}""");

    final FakeRegistry registry = new FakeRegistry()
            .repository("web").image("web", WEB_DIGEST, "v1.4.0", PUSHED)
            .repository("api").image("api", API_DIGEST, "v2.0.0", PUSHED)
            .repository("unmapped");
    final ReleasePlanner planner = new ReleasePlanner(ConfigSource.of(ConfigParser.parse(TWO_SERVICES)), registry);

    @Test
    void tagsAndDigestsBecomeOneDigestPerServiceWithItsExecution() {
        ReleasePlan plan = planner.plan("shop-2025-01", "spring sale", List.of("web:v1.4.0", FakeRegistry.REGISTRY + "/api@" + API_DIGEST));

        assertEquals("shop-2025-01", plan.release());
        assertEquals("spring sale", plan.reason());
        assertEquals(List.of(
                new ReleasePlan.Entry("pushdeploy/web", FakeRegistry.REGISTRY + "/web@" + WEB_DIGEST, "shop-2025-01-web"),
                new ReleasePlan.Entry("pushdeploy/api", FakeRegistry.REGISTRY + "/api@" + API_DIGEST, "shop-2025-01-api")), plan.services());
        assertEquals("release r1", planner.plan("r1", null, List.of("web:v1.4.0")).reason());
    }

    static Stream<Arguments> rejected() {
        String tooLong = "x".repeat(41);
        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add("web:v1." + i);
        }
        return Stream.of(
                Arguments.of("r:1", List.of("web:v1.4.0"), "release", "the release name"),
                Arguments.of(tooLong, List.of("web:v1.4.0"), "release", "1-40"),
                Arguments.of("r1", List.of(), "images", "1 to 10"),
                Arguments.of("r1", eleven, "images", "1 to 10"),
                Arguments.of("r1", List.of("web"), "images[0]", "needs a digest"),
                Arguments.of("r1", List.of("web:v1.4.0", "other:v1"), "images[1]", "repository other is not mapped"),
                Arguments.of("r1", List.of("web:v1.4.0", "web@" + WEB_DIGEST), "images[1]", "a second image for pushdeploy/web"),
                Arguments.of("r1", List.of("web:v9.9.9"), "images[0]", "tag v9.9.9 is not an image of repository web"),
                Arguments.of("r1", List.of("api@sha256:" + "0".repeat(64)), "images[0]", "is not an image of repository api"),
                Arguments.of("r1", List.of("999999999999.dkr.ecr.us-east-1.amazonaws.com/web:v1.4.0"), "images[0]", "is not the registry"),
                Arguments.of("r1", Arrays.asList("web:v1.4.0", null), "images[1]", "an image reference"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void aManifestThatCannotBeReleasedIsRejectedNamingTheField(String release, List<String> images, String field, String problem) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> planner.plan(release, null, images));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void executionNamesStayValid() {
        assertEquals("r1-web", ReleasePlanner.executionName("r1", "web"));
        assertEquals("r1-my-api", ReleasePlanner.executionName("r1", "my.api"));
        assertEquals(80, ReleasePlanner.executionName("r".repeat(40), "s".repeat(64)).length());
    }
}
