package dev.pushdeploy.release;

import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.Release;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.model.TaskDefinition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.error.AwsFailureException;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.adapter.json.JsonLogLines;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.secrets.Requests;
import dev.pushdeploy.model.RotationResult;
import dev.pushdeploy.model.SecretSlot;
import dev.pushdeploy.testing.SampleStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.util.Map;

class ReleaseRegistrarTest {
    static final String LIVE = InMemoryTaskDefinitions.arn("web", 7);
    static final RotationResult SLOT_B = new RotationResult(List.of(
            new SecretSlot("APP_SIGNING_KEY", "b", SampleStack.SIGNING_KEY_PARAMETER + "/b", 2L, null, null)));

    final InMemoryTaskDefinitions ecs = new InMemoryTaskDefinitions();
    final List<String> logLines = new ArrayList<>();
    final StepLog log = StepLog.to(JsonLogLines.to(logLines::add), "RegisterTaskDefinition");
    final ReleaseRegistrar registrar = new ReleaseRegistrar(ecs);

    @BeforeEach
    void liveRevision() {
        ecs.put(live(7));
    }

    @Test
    void registersTheDerivedRevision() {
        Release release = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        assertEquals(new Release(InMemoryTaskDefinitions.arn("web", 8), "web", 8, Requests.IMAGE, true), release);
        RevisionChange registered = ecs.registrations.get(0);
        assertEquals(SampleStack.SIGNING_KEY_PARAMETER + "/b", registered.secrets().get("APP_SIGNING_KEY"));
        assertEquals("req-1", registered.tags().get("pushdeploy:request-id"));
        assertEquals("payments", registered.tags().get("team"));
        assertTrue(logLines.get(0).contains("task definition registered"), logLines.get(0));
    }

    @Test
    void theSameRequestTwiceGetsTheSameRevision() {
        Release first = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);
        Release second = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        assertEquals(first.taskDefinition(), second.taskDefinition());
        assertEquals(8, second.revision());
        assertEquals(Requests.IMAGE, second.image());
        assertEquals(false, second.created());
        assertEquals(1, ecs.registrations.size());
    }

    @Test
    void anotherRequestsRevisionIsNotReused() {
        registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        Release other = registrar.register(Requests.deploy("req-2", LIVE), SLOT_B, log);

        assertEquals(9, other.revision());
        assertTrue(other.created());
    }

    /**
     * A run prepared again after the service moved (its first StartDeployment found it on another revision) derives its
     * release from where the service is now: what its first attempt registered from the old live revision is not reused.
     */
    @Test
    void theSameRequestPreparedFromAnotherLiveRevisionRegistersAfresh() {
        ecs.put(live(6));
        Release first = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);
        String moved = InMemoryTaskDefinitions.arn("web", 6);

        Release again = registrar.register(Requests.deploy("req-1", moved), null, log);

        assertEquals(8, first.revision());
        assertEquals(9, again.revision());
        assertTrue(again.created());
        assertEquals(moved, ecs.registrations.get(1).tags().get(ReleaseDerivation.TAG_DERIVED_FROM));
        assertEquals(LIVE, ecs.registrations.get(0).tags().get(ReleaseDerivation.TAG_DERIVED_FROM));
    }

    /** A live revision with 49 tags of its own: the release carries the first 46 and the pipeline's 4, and says so. */
    @Test
    void aLiveRevisionsTagsBeyondWhatEcsTakesAreLeftOutWithAWarning() {
        Map<String, String> crowded = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 49; i++) {
            crowded.put("org:tag-" + i, "v" + i);
        }
        TaskDefinition template = live(7);
        ecs.put(new TaskDefinition(LIVE, "web", 7, true, template.cpu(), template.memory(), template.containers(), crowded));

        registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        Map<String, String> tags = ecs.registrations.get(0).tags();
        assertEquals(50, tags.size(), tags.keySet().toString());
        assertTrue(tags.containsKey("org:tag-46") && !tags.containsKey("org:tag-47"), tags.keySet().toString());
        assertEquals(LIVE, tags.get(ReleaseDerivation.TAG_DERIVED_FROM));
        assertTrue(logLines.stream().anyMatch(l -> l.contains("\"level\":\"WARN\"") && l.contains("\"dropped\":3")), logLines.toString());
    }

    @Test
    void onlyRevisionsNewerThanTheLiveOneAreDescribed() {
        ecs.put(live(6));
        ecs.put(new TaskDefinition(InMemoryTaskDefinitions.arn("web-worker", 9), "web-worker", 9, true, null, null,
                live(6).containers(), Map.of()));

        registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        assertEquals(List.of(LIVE), ecs.found, "the first attempt only reads the live revision");
    }

    @Test
    void withoutRotationTheLiveSecretsStay() {
        registrar.register(Requests.deploy("req-1", LIVE), null, log);

        RevisionChange change = ecs.registrations.get(0);
        assertEquals(SampleStack.SIGNING_KEY_PARAMETER + "/a", change.secrets().get("APP_SIGNING_KEY"));
        assertEquals(Requests.IMAGE, change.image());
    }

    @Test
    void aRollbackRegistersNothing() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> registrar.register(Requests.rollback("req-1", LIVE), null, log));
        assertEquals("request.register", e.field());
        assertTrue(ecs.registrations.isEmpty());
    }

    @Test
    void aRequestWithoutLiveRevisionIsInvalid() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> registrar.register(Requests.deploy("req-1", null), SLOT_B, log));
        assertEquals("request.previousTaskDefinition", e.field());
    }

    @Test
    void aRequestWithoutContainerIsInvalid() {
        DeployRequest request = Requests.deploy("req-1", LIVE).toBuilder().container(null).build();

        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> registrar.register(request, SLOT_B, log));
        assertEquals("request.container", e.field());
        assertTrue(ecs.registrations.isEmpty());
    }

    @Test
    void theRequestsContainerIsTheOneChanged() {
        ecs.put(new TaskDefinition(LIVE, "web", 7, true, null, null,
                List.of(live(7).containers().get(0), renamed(live(7).containers().get(0), "sidecar")), Map.of()));
        DeployRequest request = Requests.deploy("req-1", LIVE).toBuilder().container("sidecar").build();

        registrar.register(request, SLOT_B, log);

        assertEquals("sidecar", ecs.registrations.get(0).container());
    }

    @Test
    void aMissingLiveRevisionIsAnAwsFailure() {
        AwsFailureException e = assertThrows(AwsFailureException.class,
                () -> registrar.register(Requests.deploy("req-1", InMemoryTaskDefinitions.arn("web", 3)), SLOT_B, log));
        assertEquals("task definition " + InMemoryTaskDefinitions.arn("web", 3) + " does not exist", e.getMessage());
        assertTrue(ecs.registrations.isEmpty());
    }

    /**
     * A live revision an operator deregistered (or deleted: ECS describes it only while the service uses it) is still the
     * way back, and ECS moves no service to it: a copy of it is registered first, once, however often the step runs.
     */
    @Test
    void aLiveRevisionThatIsNotActiveIsCopiedFirstAsTheWayBack() {
        ecs.deregister(LIVE);

        Release release = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);
        Release retried = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        String copy = InMemoryTaskDefinitions.arn("web", 8);
        assertEquals(InMemoryTaskDefinitions.arn("web", 9), release.taskDefinition());
        assertEquals(release.taskDefinition(), retried.taskDefinition());
        assertFalse(retried.created());
        assertEquals(2, ecs.registrations.size(), "the copy and the release, once each");
        TaskDefinition kept = ecs.find(copy).orElseThrow();
        assertTrue(kept.active());
        assertEquals(live(7).containers(), kept.containers(), "the live image and slots");
        assertEquals(LIVE, kept.tags().get(RevisionChange.TAG_COPY_OF));
        assertEquals(kept, ecs.keptCopy(LIVE, 5).orElseThrow(), "found by the copy-of tag");
        ecs.forget(LIVE);
        assertEquals(kept, ecs.keptCopy(LIVE, 5).orElseThrow(), "and once ECS no longer describes the original");
        assertTrue(logLines.stream().anyMatch(l -> l.contains("a copy of it is kept as the way back") && l.contains(copy)),
                logLines.toString());
    }

    /** A copy an earlier attempt registered before it failed is taken, not registered again. */
    @Test
    void aCopyAnEarlierAttemptRegisteredIsNotRegisteredAgain() {
        ecs.deregister(LIVE);
        ecs.register(RevisionChange.copyOf(ecs.find(LIVE).orElseThrow()));

        Release release = registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        assertEquals(InMemoryTaskDefinitions.arn("web", 9), release.taskDefinition());
        assertEquals(2, ecs.registrations.size());
    }

    @Test
    void anActiveLiveRevisionIsNotCopied() {
        registrar.register(Requests.deploy("req-1", LIVE), SLOT_B, log);

        assertEquals(List.of(), ecs.registrations.stream().filter(c -> c.tags().containsKey(RevisionChange.TAG_COPY_OF)).toList());
    }

    static TaskDefinition.Container renamed(TaskDefinition.Container container, String name) {
        return new TaskDefinition.Container(name, container.image(), false, container.environment(), container.secrets());
    }

    /** Revision {@code n} of web as ReleaseDerivationTest's live one, with the World's signing key in slot a. */
    static TaskDefinition live(int n) {
        TaskDefinition template = ReleaseDerivationTest.live(
                ReleaseDerivationTest.app("PORT=8080", "APP_SIGNING_KEY=" + SampleStack.SIGNING_KEY_PARAMETER + "/a"),
                Map.of("team", "payments"));
        return new TaskDefinition(InMemoryTaskDefinitions.arn("web", n), "web", n, true, template.cpu(), template.memory(),
                template.containers(), template.tags());
    }

    @ParameterizedTest
    @CsvSource({
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web:12, web, 12",
            "arn:aws:ecs:us-east-1:123456789012:task-definition/web-worker:3, web-worker, 3",
            "web:4, web, 4",
            "web, web, 0",
    })
    void readsFamilyAndRevision(String taskDefinition, String family, int revision) {
        assertEquals(family, Revisions.family(taskDefinition));
        assertEquals(revision, Revisions.revision(taskDefinition));
    }
}
