package dev.pushdeploy.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.model.ReleasePlan;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.rollout.ServiceReader;
import dev.pushdeploy.testing.SampleStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** A manifest becomes one pinned image per service, or is rejected naming the field, before anything is written. */
class ReleasePlannerTest {
    static final String WEB_DIGEST = "sha256:" + SampleStack.sha256("web v1.4.0");
    static final String API_DIGEST = "sha256:" + SampleStack.sha256("api v2.0.0");
    static final String OLD_DIGEST = "sha256:" + SampleStack.sha256("live");
    static final Instant PUSHED = Instant.parse("2025-01-02T10:00:00Z");
    static final String TWO_SERVICES = SampleStack.configDocument(null).replace("\"keepRevisions\": 3}]}", """
            "keepRevisions": 3},
             {"repository": "api", "cluster": "pushdeploy", "service": "api", "container": "app", "tagPattern": "v[0-9.]+",
              "secrets": [], "health": {"expectedStatus": 200, "bakeSeconds": 0, "deadlineSeconds": 600}, "keepRevisions": 3}]}""");

    final FakeRegistry registry = new FakeRegistry()
            .repository("web").image("web", WEB_DIGEST, "v1.4.0", PUSHED)
            .repository("api").image("api", API_DIGEST, "v2.0.0", PUSHED)
            .repository("unmapped");
    /** Alarm names CloudWatch does not know; every other name it describes as OK. */
    final java.util.Set<String> missingAlarms = new java.util.HashSet<>();
    final InMemoryTaskDefinitions taskDefinitions = new InMemoryTaskDefinitions();
    /** Both services released, each running its repository's older image. */
    final FakeEcsServices web = new FakeEcsServices("pushdeploy", "web",
            taskDefinitions.add("web", "app", FakeRegistry.REGISTRY + "/web@" + OLD_DIGEST, Map.of()), true);
    final FakeEcsServices api = new FakeEcsServices("pushdeploy", "api",
            taskDefinitions.add("api", "app", FakeRegistry.REGISTRY + "/api@" + OLD_DIGEST, Map.of()), true);
    final ServiceReader services = (cluster, service) -> (service.equals("web") ? web : api).describe(cluster, service);
    final ReleasePlanner planner = new ReleasePlanner(ConfigSource.of(ConfigParser.parse(TWO_SERVICES)), registry,
            names -> names.stream().filter(name -> !missingAlarms.contains(name))
                    .map(name -> new dev.pushdeploy.rollout.AlarmStates.AlarmState(name, "OK", null, 0)).toList(),
            new LiveServices(services, taskDefinitions));

    static ReleaseManifest manifest(String reason, String... serviceImage) {
        List<ReleaseManifest.Entry> entries = new ArrayList<>();
        for (int i = 0; i < serviceImage.length; i += 2) {
            entries.add(new ReleaseManifest.Entry(serviceImage[i], serviceImage[i + 1]));
        }
        return new ReleaseManifest(entries, reason);
    }

    @Test
    void tagsAndDigestsBecomeOneDigestPerServiceWithItsExecutions() {
        ReleasePlan plan = planner.plan("shop-2025-01", manifest("spring sale",
                "pushdeploy/web", "web:v1.4.0", "pushdeploy/api", FakeRegistry.REGISTRY + "/api@" + API_DIGEST));

        assertEquals("shop-2025-01", plan.release());
        assertEquals("release shop-2025-01: spring sale", plan.reason());
        assertEquals("release shop-2025-01 rolled back: not every service went live: spring sale", plan.rollbackReason());
        assertEquals(List.of(
                new ReleasePlan.Entry("pushdeploy/web", FakeRegistry.REGISTRY + "/web@" + WEB_DIGEST, "shop-2025-01-web-3e364a17",
                        "shop-2025-01-web-3e364a17-rollback"),
                new ReleasePlan.Entry("pushdeploy/api", FakeRegistry.REGISTRY + "/api@" + API_DIGEST, "shop-2025-01-api-3370431d",
                        "shop-2025-01-api-3370431d-rollback")),
                plan.services());
        assertEquals("release r1", planner.plan("r1", manifest(null, "pushdeploy/web", "web:v1.4.0")).reason());
    }

    static Stream<Arguments> rejected() {
        String tooLong = "x".repeat(41);
        String[] eleven = new String[22];
        for (int i = 0; i < 11; i++) {
            eleven[2 * i] = "pushdeploy/web";
            eleven[2 * i + 1] = "web:v1." + i;
        }
        return Stream.of(
                Arguments.of("r:1", manifest(null, "pushdeploy/web", "web:v1.4.0"), "release", "the release's name"),
                Arguments.of(tooLong, manifest(null, "pushdeploy/web", "web:v1.4.0"), "release", "1-40"),
                Arguments.of(null, manifest(null, "pushdeploy/web", "web:v1.4.0"), "release", "1-40"),
                Arguments.of("r1", manifest("x".repeat(257), "pushdeploy/web", "web:v1.4.0"), "reason", "at most 256"),
                Arguments.of("r1", manifest("bell\u0007", "pushdeploy/web", "web:v1.4.0"), "reason", "non-printable"),
                Arguments.of("r1", manifest(null), "services", "1 to 10"),
                Arguments.of("r1", manifest(null, eleven), "services", "1 to 10"),
                Arguments.of("r1", manifest(null, null, "web:v1.4.0"), "services[0].service", "is required"),
                Arguments.of("r1", manifest(null, "web", "web:v1.4.0"), "services[0].service", "<cluster>/<service>"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/db", "db:v1"),
                        "services[1].service", "pushdeploy/db is not a service of this pipeline"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/web", "web@" + WEB_DIGEST),
                        "services[1].service", "pushdeploy/web is named twice"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", null), "services[0].image", "is required"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "web"), "services[0].image", "needs a digest"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "api:v2.0.0"), "services[0].image", "is not pushdeploy/web's repository (web)"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "web:v9.9.9"), "services[0].image", "tag v9.9.9 is not an image of repository web"),
                Arguments.of("r1", manifest(null, "pushdeploy/api", "api@sha256:" + "0".repeat(64)), "services[0].image", "is not an image of repository api"),
                Arguments.of("r1", manifest(null, "pushdeploy/web", "999999999999.dkr.ecr.us-east-1.amazonaws.com/web:v1.4.0"),
                        "services[0].image", "is not the registry"));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void aManifestThatCannotBeReleasedIsRejectedNamingTheField(String release, ReleaseManifest manifest, String field, String problem) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> planner.plan(release, manifest));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    /**
     * A deployment's name is the release's and the service's, and eight hex digits of SHA-256 over
     * {@code <release>\n<cluster>/<service>} (the digits here are Python's hashlib's), so that no two releases' services
     * share one: Step Functions would refuse the second for 90 days.
     */
    @Test
    void executionNamesNeverRepeatAcrossReleasesAndStayValidWithTheirRollbacks() {
        assertEquals("r1-web-965c77ea", ReleasePlanner.executionName("r1", "pushdeploy", "web"));
        assertEquals("r1-web-8ec52dfe", ReleasePlanner.executionName("r1", "other", "web"));
        assertEquals("a-b-c-603bdf0d", ReleasePlanner.executionName("a", "pushdeploy", "b-c"));
        assertEquals("a-b-c-8c09d5cb", ReleasePlanner.executionName("a-b", "pushdeploy", "c"));
        String longest = ReleasePlanner.executionName("r".repeat(40), "pushdeploy", "s".repeat(255));
        assertEquals(ReleasePlanner.EXECUTION_NAME_MAX, (longest + ReleasePlanner.ROLLBACK_SUFFIX).length());
        assertNotEquals(longest, ReleasePlanner.executionName("r".repeat(40), "pushdeploy", "s".repeat(254)), "cut to the same readable part");
        for (String name : List.of(longest, ReleasePlanner.executionName("r1", "pushdeploy", "my.api"))) {
            assertTrue(name.matches("[A-Za-z0-9_-]+"), name);
            assertEquals(name + ReleasePlanner.ROLLBACK_SUFFIX, Fields.executionName("name", name + ReleasePlanner.ROLLBACK_SUFFIX));
        }
    }

    /** An image ECR holds archived cannot be pulled: a release naming it is refused before any deployment starts. */
    @Test
    void anArchivedImageIsRejectedBeforeAnythingStarts() {
        registry.status("api", API_DIGEST, "ARCHIVED");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> planner.plan("shop-1",
                manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/api", "api:v2.0.0")));
        assertEquals("services[1].image: " + FakeRegistry.REGISTRY + "/api@" + API_DIGEST + " is an image ECR has archived (ARCHIVED:"
                + " an archived image cannot be pulled; restore it to the standard storage class, or push it again): no task of it"
                + " could start", e.getMessage());

        registry.status("api", API_DIGEST, "ACTIVE");
        assertEquals(2, planner.plan("shop-1", manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/api", "api:v2.0.0"))
                .services().size());
    }

    /** A release whose services' deployment alarms CloudWatch lacks one of is refused before any deployment starts. */
    @Test
    void aServiceWhoseDeploymentAlarmDoesNotExistIsRejectedBeforeAnythingStarts() {
        missingAlarms.add(SampleStack.ERROR_RATE_ALARM);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> planner.plan("shop-1",
                manifest(null, "pushdeploy/api", "api:v2.0.0", "pushdeploy/web", "web:v1.4.0")));
        assertEquals("services[1].service: CloudWatch has no alarm " + SampleStack.ERROR_RATE_ALARM + " (of pushdeploy/web's"
                + " deployment alarms): its rollouts would be judged without it; create it, or take it out of DeploymentAlarmNames",
                e.getMessage());

        missingAlarms.clear();
        assertEquals(2, planner.plan("shop-1", manifest(null, "pushdeploy/api", "api:v2.0.0", "pushdeploy/web", "web:v1.4.0"))
                .services().size());
    }

    /**
     * A service its deployment's Prepare would refuse (deleted, scaled to 0 tasks, its live revision without the configured
     * container) is refused by the plan, naming it, before any deployment starts: refused by its own deployment, the others
     * would have gone live first, to be rolled back.
     */
    @ParameterizedTest
    @MethodSource("servicesPrepareRefuses")
    void aServiceItsDeploymentWouldRefuseIsRejectedBeforeAnythingStarts(java.util.function.Consumer<ReleasePlannerTest> change,
            String message) {
        change.accept(this);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> planner.plan("shop-1",
                manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/api", "api:v2.0.0")));
        assertEquals("services[1].service", e.field());
        assertEquals(message, e.getMessage().replace(api.taskDefinition(), "<live>"));
    }

    static Stream<Arguments> servicesPrepareRefuses() {
        java.util.function.Consumer<ReleasePlannerTest> scaledToZero = t -> t.api.runOnly(t.api.taskDefinition(), 0);
        java.util.function.Consumer<ReleasePlannerTest> deleted = t -> t.api.delete();
        java.util.function.Consumer<ReleasePlannerTest> otherContainer = t -> t.api.runOnly(
                t.taskDefinitions.add("api", "sidecar", FakeRegistry.REGISTRY + "/api@" + OLD_DIGEST, Map.of()));
        java.util.function.Consumer<ReleasePlannerTest> undescribed = t -> t.api.runOnly(
                "arn:aws:ecs:us-east-1:123456789012:task-definition/api:99");
        return Stream.of(
                Arguments.of(scaledToZero, "services[1].service: pushdeploy/api is scaled to 0 tasks (desired count 0 on api:1), so a"
                        + " deploy could not be proven healthy; scale it up and try again"),
                Arguments.of(deleted, "services[1].service: pushdeploy/api does not exist in ECS"),
                Arguments.of(otherContainer, "services[1].service: app is not a container of api:2 (check the configuration)"),
                Arguments.of(undescribed, "services[1].service: the live task definition <live> of pushdeploy/api cannot be described"));
    }

    /**
     * What its deployment would not refuse is planned: a service scaled to 0 whose image is the one it runs (the deployment
     * is IGNORED, nothing moves), and one with no release yet (the bootstrap revision: its deployment is its first release).
     */
    @Test
    void aServiceItsDeploymentWouldTakeOrIgnoreIsPlanned() {
        api.runOnly(taskDefinitions.add("api", "app", FakeRegistry.REGISTRY + "/api@" + API_DIGEST, Map.of()), 0);
        web.runOnly(taskDefinitions.add("web", "app", "web:bootstrap", Map.of()), 0);
        assertEquals(List.of("pushdeploy/web", "pushdeploy/api"), planner.plan("shop-1",
                manifest(null, "pushdeploy/web", "web:v1.4.0", "pushdeploy/api", "api:v2.0.0"))
                .services().stream().map(ReleasePlan.Entry::service).toList());
    }
}
