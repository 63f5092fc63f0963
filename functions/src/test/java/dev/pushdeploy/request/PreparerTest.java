package dev.pushdeploy.request;

import dev.pushdeploy.ledger.KeptImages;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import static dev.pushdeploy.request.PrepareFixture.LIVE_DIGEST;
import static dev.pushdeploy.request.PrepareFixture.NEW_DIGEST;
import static dev.pushdeploy.request.PrepareFixture.URI;
import static dev.pushdeploy.request.PrepareFixture.push;
import static dev.pushdeploy.request.PrepareFixture.rollbackTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.ledger.LockItem;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.model.Revisions;
import dev.pushdeploy.ledger.WaiterItem;
import dev.pushdeploy.testing.SampleStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PreparerTest {
    private final PrepareFixture world = new PrepareFixture();

    @ParameterizedTest(name = "event at {0}: ordered at {1}")
    @CsvSource(nullValues = "none", value = {
            "2025-01-02T10:00:00Z, 2025-01-02T10:00:00Z",
            "2025-03-01T08:30:00Z, 2025-03-01T08:30:00Z",
            "2025-01-02T09:59:59Z, 2025-01-02T10:00:00Z",
            "none,                 2025-01-02T10:00:00Z"})
    void aPushIsOrderedAtTheLaterOfTheImagesPushAndItsEventsTime(String eventTime, String orderedAt) {
        DeployRequest r = world.prepare(PrepareFixture.pushAt("web", "v1.1.0", NEW_DIGEST, "PUSH", "SUCCESS", eventTime));
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(java.time.Instant.parse(orderedAt).toEpochMilli(), r.pushedAt(),
                "ECR keeps an image's first push time when a later push only tags it: that push is placed at its own time");
    }

    @Test
    void aPushEventWhoseTimeIsNotATimeIsRejectedNamingIt() {
        DeployRequest r = world.prepare(PrepareFixture.pushAt("web", "v1.1.0", NEW_DIGEST, "PUSH", "SUCCESS", "yesterday"));
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals("time: 'yesterday' is not an ISO 8601 time", r.decisionReason());
    }

    @Test
    void pushOfAMatchingTagProceedsWithEverythingFilledIn() {
        DeployRequest r = world.prepare(push("v1.1.0", NEW_DIGEST), "exec-push");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertNull(r.decisionReason());
        assertEquals("exec-push", r.requestId());
        assertEquals(Action.DEPLOY, r.action());
        assertEquals("ecr", r.source());
        assertEquals("pushdeploy", r.cluster());
        assertEquals("web", r.service());
        assertEquals("app", r.container());
        assertEquals("web", r.repository());
        assertEquals(URI + "@" + NEW_DIGEST, r.image());
        assertEquals(NEW_DIGEST, r.digest());
        assertEquals("v1.1.0", r.tag());
        assertEquals("ECR push web:v1.1.0", r.reason());
        assertEquals(PrepareFixture.NEW_PUSHED.toEpochMilli(), r.pushedAt());
        assertEquals(world.liveArn, r.previousTaskDefinition());
        assertEquals(URI + "@" + LIVE_DIGEST, r.previousImage());
        assertNull(r.targetTaskDefinition());
        assertTrue(r.rotate(), "the target has a managed secret");
        assertEquals(Map.of("APP_SIGNING_KEY", "a"), r.liveSlots(), "the slot the live container references, for RotateSecrets");
        assertTrue(r.register());
        assertFalse(r.scanGate(), "no scanSeverity configured");
        assertEquals(600, r.deadlineSeconds());
        assertEquals(0, r.bakeSeconds());
        assertEquals(PrepareFixture.STARTED.toEpochMilli(), r.startedAt());
        assertEquals(PrepareFixture.STATE_MACHINE + "exec-push", r.executionArn());
        assertEquals("pushdeploy/web", r.serviceKey());
        assertNull(r.desiredCount(), "a released service keeps its count");
        assertNull(r.previousDesiredCount());
        assertEquals(PrepareFixture.CONFIG_VERSION, r.configVersion(), "the steps read the configuration Prepare read");
        assertEquals(Boolean.TRUE, r.rollBackStoppedRuns(), "the configuration's RollBackStoppedRuns, for StartDeployment and the reconciler");
        assertEquals(r, Json.read(Json.write(r), DeployRequest.class), "survives the state document");
    }

    @Test
    void theRequestCarriesTheRollBackStoppedRunsItWasPreparedWith() {
        String off = SampleStack.configDocument(null).replace("\"rollBackStoppedRuns\": true", "\"rollBackStoppedRuns\": false");
        DeployRequest r = new PrepareFixture(off).prepare(push("v1.1.0", NEW_DIGEST));
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(Boolean.FALSE, r.rollBackStoppedRuns());
        assertFalse(r.rollsBackWhenCutOff());
        assertTrue(r.toBuilder().rollBackStoppedRuns(null).build().rollsBackWhenCutOff(), "a request prepared before the setting was kept: on");
    }

    private static void assertRejected(DeployRequest r, String reason) {
        assertEquals(Decision.REJECTED, r.decision());
        assertEquals(reason, r.decisionReason());
    }

    // ---- no release yet: the stack's bootstrap revision is live

    /** The stack's revision before the first release: the repository's never-pushed tag, no secrets, no tasks. */
    private String bootstrap() {
        String bootstrap = world.taskDefinitions.add("web", "app", URI + ":bootstrap", Map.of());
        world.services.runOnly(bootstrap, 0);
        return bootstrap;
    }

    @Test
    void theBootstrapRevisionNamesNoLiveSlotForTheRotation() {
        world.services.runOnly(world.taskDefinitions.add("web", "app", URI + ":bootstrap",
                Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/b")), 0);

        DeployRequest r = world.prepare(push("v1.0.0", LIVE_DIGEST), "exec-first");

        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(Map.of(), r.liveSlots(), "no task reads the slots the bootstrap revision names");
    }

    @Test
    void aPushToAServiceWithNoReleaseIsItsFirstRelease() {
        String bootstrap = bootstrap();
        DeployRequest r = world.prepare(push("v1.0.0", LIVE_DIGEST), "exec-first");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(URI + "@" + LIVE_DIGEST, r.image());
        assertEquals(bootstrap, r.previousTaskDefinition(), "a failure returns to the bootstrap revision");
        assertEquals(URI + ":bootstrap", r.previousImage());
        assertTrue(r.rotate() && r.register());
        assertEquals(SampleStack.DESIRED_COUNT, r.desiredCount(), "the configured count");
        assertEquals(0, r.previousDesiredCount(), "the way back runs no task");
        assertEquals(r, Json.read(Json.write(r), DeployRequest.class), "survives the state document");
    }

    @Test
    void aManualDeployToAServiceWithNoReleaseIsItsFirstReleaseToo() {
        bootstrap();
        DeployRequest r = world.prepare("{\"action\":\"deploy\",\"image\":\"web:v1.1.0\"}");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(SampleStack.DESIRED_COUNT, r.desiredCount());
        assertEquals(0, r.previousDesiredCount());
    }

    /** Whatever the revision is called or how many tasks it has: an image not pinned by digest is no release. */
    @Test
    void aServiceRunningAnImageByTagHasNoReleaseAndKeepsItsCountOnTheWayBack() {
        String byTag = world.taskDefinitions.add("web", "app", URI + ":latest", PrepareFixture.SECRETS);
        world.services.runOnly(byTag, 1);
        DeployRequest r = world.prepare(push("v1.1.0", NEW_DIGEST));
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(SampleStack.DESIRED_COUNT, r.desiredCount());
        assertEquals(1, r.previousDesiredCount());
    }

    @Test
    void aRollbackWithNoReleaseIsRejectedSayingSo() {
        bootstrap();
        for (String input : List.of(rollbackTo("previous"), rollbackTo(world.liveArn))) {
            DeployRequest r = world.prepare(input);
            assertEquals(Decision.REJECTED, r.decision(), input);
            assertEquals("service: pushdeploy/web has no release yet: its live revision web:2 runs " + URI + ":bootstrap, not an image"
                    + " pinned by digest; there is nothing to roll back to. Push or deploy an image to make the first release",
                    r.decisionReason());
        }
    }

    @Test
    void aRollbackToTheBootstrapRevisionIsRejected() {
        String bootstrap = bootstrap();
        String v1 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v1, 2);
        assertRejected(world.prepare(rollbackTo(bootstrap)),
                "to: web:2 runs " + URI + ":bootstrap, not an image pinned by digest (the stack's bootstrap revision, from before"
                    + " the first release): a rollback goes to a release; deploy an image instead");
    }

    /** A release undoing the first release it made withdraws it: back to the bootstrap revision with no task. */
    @Test
    void aRollbackThatUndoesAFirstReleaseGoesBackToNoTask() {
        String bootstrap = bootstrap();
        String v1 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, bootstrap, v1, v1);
        world.services.runOnly(v1, 2);

        DeployRequest r = world.prepare("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + bootstrap
                + "\",\"undoes\":\"exec-1\"}");

        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(bootstrap, r.targetTaskDefinition());
        assertEquals(0, r.desiredCount(), "no task of the bootstrap revision, whose image nobody pushed");
        assertEquals(2, r.previousDesiredCount(), "a failed way back restores the release's count");
        assertEquals("hist#2025-01-01T00:00:00.000Z#exec-1", r.undoes());
        assertEquals(r, Json.read(Json.write(r), DeployRequest.class), "survives the state document");
    }

    @Test
    void aRotationWithNoReleaseIsRejectedSayingSo() {
        bootstrap();
        DeployRequest r = world.prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}");
        assertEquals(Decision.REJECTED, r.decision());
        assertTrue(r.decisionReason().startsWith("service: pushdeploy/web has no release yet: its live revision web:2 runs "),
                r.decisionReason());
        assertTrue(r.decisionReason().contains("there are no live secrets to rotate away from"), r.decisionReason());
    }

    @Test
    void scanGateRunsWhenASeverityIsConfigured() {
        DeployRequest r = new PrepareFixture(SampleStack.configDocument("HIGH")).prepare(push("v1.1.0", NEW_DIGEST));
        assertEquals(Decision.PROCEED, r.decision());
        assertTrue(r.scanGate());
    }

    @Test
    void nonPushEventsAreIgnored() {
        DeployRequest delete = world.prepare(push("web", "v1.1.0", NEW_DIGEST, "DELETE", "SUCCESS"));
        assertEquals(Decision.IGNORED, delete.decision());
        assertEquals("ECR action-type DELETE is not a PUSH", delete.decisionReason());
        DeployRequest failed = world.prepare(push("web", "v1.1.0", NEW_DIGEST, "PUSH", "FAILURE"));
        assertEquals(Decision.IGNORED, failed.decision());
        assertEquals("ECR push result is FAILURE, not SUCCESS", failed.decisionReason());
    }

    @Test
    void tagsOutsideThePatternAreIgnoredAsAFullMatch() {
        world.registry.image("web", "sha256:" + "1".repeat(64), "latest", PrepareFixture.NEW_PUSHED);
        DeployRequest latest = world.prepare(push("latest", "sha256:" + "1".repeat(64)));
        assertEquals(Decision.IGNORED, latest.decision());
        assertTrue(latest.decisionReason().startsWith("tag latest does not match tagPattern"), latest.decisionReason());

        world.registry.image("web", "sha256:" + "2".repeat(64), "v1.2.0-rc1", PrepareFixture.NEW_PUSHED);
        DeployRequest prefixOnly = world.prepare(push("v1.2.0-rc1", "sha256:" + "2".repeat(64)));
        assertEquals(Decision.IGNORED, prefixOnly.decision(), "v1.2.0 matching a prefix is not enough");

        DeployRequest untagged = world.prepare(push(null, NEW_DIGEST));
        assertEquals(Decision.IGNORED, untagged.decision());
        assertTrue(untagged.decisionReason().contains("without a tag"));
    }

    /** The pipeline's own keep tags deploy nothing, also where tagPattern would take any tag. */
    @Test
    void aPushOfAKeepTagIsIgnoredWhateverThePattern() {
        PrepareFixture anyTag = new PrepareFixture(SampleStack.configDocument(null).replace(SampleStack.TAG_PATTERN, ".+"));
        String keep = KeptImages.tag("web", 7);
        anyTag.registry.image("web", NEW_DIGEST, keep, PrepareFixture.NEW_PUSHED);

        DeployRequest r = anyTag.prepare(push(keep, NEW_DIGEST));

        assertEquals(Decision.IGNORED, r.decision());
        assertEquals("tag pushdeploy-web-7 is the pipeline's own keep tag (pushdeploy-*), put on an image a revision went live on;"
                + " it deploys nothing", r.decisionReason());
        assertEquals(Decision.PROCEED, anyTag.prepare(push("v1.1.0", NEW_DIGEST)).decision(), "any other tag deploys");
    }

    @Test
    void theLiveDigestIsIgnored() {
        DeployRequest r = world.prepare(push("v1.0.0", LIVE_DIGEST));
        assertEquals(Decision.IGNORED, r.decision());
        assertEquals(LIVE_DIGEST + " is already live in pushdeploy/web (web:1)", r.decisionReason());
        assertFalse(r.register() || r.rotate() || r.scanGate());
        assertEquals(world.liveArn, r.previousTaskDefinition());
    }

    @Test
    void aDigestHeldByAnotherRequestIsIgnored() {
        long expires = PrepareFixture.NOW.getEpochSecond() + 600;
        world.ledger.locks.put("pushdeploy/web", new LockItem("exec-0", null, Action.DEPLOY, NEW_DIGEST, URI + "@" + NEW_DIGEST, 1, 1, 1, expires));
        DeployRequest r = world.prepare(push("v1.1.0", NEW_DIGEST));
        assertEquals(Decision.IGNORED, r.decision());
        assertEquals(NEW_DIGEST + " is already in flight for pushdeploy/web (request exec-0)", r.decisionReason());
    }

    /**
     * A deploy by hand (or a release's) of a digest a push's run holds waits for its turn instead of being ignored: that run may
     * still roll back, and a release must not count the image live before it is. So does one of the live digest while another
     * request holds the lock: ECS names the revision it rolls out live from the moment the service is updated.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aDigestInFlightIsNotIgnoredForADeployByHand(boolean live) {
        long now = PrepareFixture.NOW.getEpochSecond();
        if (live) {
            world.services.runOnly(world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS));
        } else {
            world.ledger.registerWaiter("pushdeploy/web", new WaiterItem("exec-1", Action.DEPLOY, NEW_DIGEST, null, 1, 1, 1, now + 600));
        }
        world.ledger.locks.put("pushdeploy/web", new LockItem("exec-0", null, Action.DEPLOY, NEW_DIGEST, URI + "@" + NEW_DIGEST, 1, 1, 1, now + 600));
        String byHand = "{\"action\":\"deploy\",\"image\":\"" + URI + "@" + NEW_DIGEST + "\"}";
        DeployRequest r = world.prepare(byHand);
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertTrue(r.register() && r.rotate());

        world.ledger.locks.clear();
        world.ledger.removeWaiter("pushdeploy/web", "exec-1");
        DeployRequest after = world.prepare(byHand, "exec-after");
        assertEquals(live ? Decision.IGNORED : Decision.PROCEED, after.decision(), "with nothing in flight: " + after.decisionReason());
    }

    @Test
    void aDigestQueuedByAnotherRequestIsIgnoredButOwnAndExpiredItemsAreNot() {
        long now = PrepareFixture.NOW.getEpochSecond();
        world.ledger.registerWaiter("pushdeploy/web", new WaiterItem("exec-1", Action.DEPLOY, NEW_DIGEST, null, 1, 1, 1, now + 600));
        world.ledger.locks.put("pushdeploy/web", new LockItem("exec-old", null, Action.DEPLOY, NEW_DIGEST, null, 1, 1, 1, now - 1));
        assertEquals(Decision.PROCEED, world.prepare(push("v1.1.0", NEW_DIGEST), "exec-1").decision(),
                "its own waiter (a re-prepare) and an expired lock do not count");

        world.ledger.registerWaiter("pushdeploy/web", new WaiterItem("exec-2", Action.DEPLOY, NEW_DIGEST, null, 1, 2, 1, now + 600));
        DeployRequest r = world.prepare(push("v1.1.0", NEW_DIGEST), "exec-1");
        assertEquals(Decision.IGNORED, r.decision());
        assertTrue(r.decisionReason().endsWith("(request exec-2)"), r.decisionReason());
    }

    /**
     * An alarm the target's rollouts are judged by that CloudWatch does not have (misnamed in DeploymentAlarmNames, or
     * deleted since) is refused before anything changes, for a push, a rotation and a rollback alike; an IGNORED push
     * does nothing and asks nothing.
     */
    @Test
    void aDeploymentAlarmCloudWatchDoesNotHaveIsRefusedBeforeAnythingChanges() {
        world.missingAlarms.add(SampleStack.RESPONSE_TIME_ALARM);
        DeployRequest push = world.prepare(push("v1.1.0", NEW_DIGEST), "exec-push");
        assertEquals(Decision.REJECTED, push.decision());
        assertEquals("health.alarms: CloudWatch has no alarm " + SampleStack.RESPONSE_TIME_ALARM + " (of pushdeploy/web's deployment"
                + " alarms): its rollouts would be judged without it; create it, or take it out of DeploymentAlarmNames",
                push.decisionReason());
        assertEquals(Decision.REJECTED, world.prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}", "exec-rotate").decision());
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v2);
        assertEquals(Decision.REJECTED, world.prepare(rollbackTo(world.liveArn), "exec-back").decision());
        assertEquals(Decision.IGNORED, world.prepare(push("latest", NEW_DIGEST), "exec-latest").decision(), "an ignored push is not refused");

        world.missingAlarms.clear();
        DeployRequest again = world.prepare(rollbackTo(world.liveArn), "exec-back-2");
        assertEquals(Decision.PROCEED, again.decision(), again.decisionReason());
    }

    @Test
    void manualDeployByDigestWithRepositoryUriAndService() {
        DeployRequest r = world.prepare("""
                {"action":"deploy","service":"pushdeploy/web","image":"%s@%s","reason":"hotfix for ticket 42"}"""
                .formatted(URI, NEW_DIGEST));
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals("manual", r.source());
        assertEquals(URI + "@" + NEW_DIGEST, r.image());
        assertEquals("hotfix for ticket 42", r.reason());
        assertNull(r.tag());
        assertEquals(PrepareFixture.NEW_PUSHED.toEpochMilli(), r.pushedAt());
        assertTrue(r.register() && r.rotate());
        assertEquals(PrepareFixture.CONFIG_VERSION, r.configVersion());
    }

    @Test
    void manualDeployByTagResolvesTheDigestAndIsNotFilteredByTheTagPattern() {
        world.registry.image("web", "sha256:" + "3".repeat(64), "hotfix", PrepareFixture.NEW_PUSHED);
        DeployRequest r = world.prepare("{\"action\":\"deploy\",\"image\":\"web:hotfix\"}");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals("sha256:" + "3".repeat(64), r.digest());
        assertEquals(URI + "@sha256:" + "3".repeat(64), r.image());
        assertEquals("hotfix", r.tag());
        assertEquals("web", r.service(), "the repository's target");
        assertEquals("manual deploy of web:hotfix", r.reason());
    }

    @Test
    void rollbackToPreviousGoesToTheRevisionLiveBeforeTheLiveOne() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v2);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        DeployRequest r = world.prepare(ROLLBACK_PREVIOUS);
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(Action.ROLLBACK, r.action());
        assertEquals(world.liveArn, r.targetTaskDefinition());
        assertEquals(v2, r.previousTaskDefinition());
        assertEquals(URI + "@" + LIVE_DIGEST, r.image());
        assertEquals(LIVE_DIGEST, r.digest());
        assertNull(r.pushedAt(), "not a push: the lock orders it by arrival");
        assertFalse(r.register() || r.rotate() || r.scanGate());
        assertEquals("manual rollback to web:1", r.reason());
        assertEquals(PrepareFixture.CONFIG_VERSION, r.configVersion());
    }

    @Test
    void rollbackToPreviousNeedsHistoryNotRevisionNumbers() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v2);
        assertRejected(world.prepare(ROLLBACK_PREVIOUS),
                "to: the history names no ACTIVE revision of web that was live before web:2; name the revision to roll back "
                    + "to (web:<revision>, or its ARN)");
    }

    /** Issue 8, case 4: v1.1 SUCCEEDED (web:2), v1.2 ROLLED_BACK (web:3), a stack redeploy (web:4, v1.1's image). */
    @Test
    void rollbackToPreviousNeverGoesToARolledBackRevisionAndWalksBack() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        String crashing = world.taskDefinitions.add("web", "app", URI + "@sha256:" + "b".repeat(64), PrepareFixture.SECRETS);
        String redeployed = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        record(2, Action.DEPLOY, Outcome.ROLLED_BACK, v2, crashing, v2);
        world.services.runOnly(redeployed);

        assertEquals(v2, world.prepare(ROLLBACK_PREVIOUS).targetTaskDefinition(), "web:3 was rolled back; web:2 was verified");

        world.services.runOnly(v2);
        record(3, Action.ROLLBACK, Outcome.SUCCEEDED, redeployed, v2, v2);
        assertEquals(world.liveArn, world.prepare(ROLLBACK_PREVIOUS).targetTaskDefinition(), "a second previous walks further back");

        world.services.runOnly(world.liveArn);
        record(4, Action.ROLLBACK, Outcome.SUCCEEDED, v2, world.liveArn, world.liveArn);
        DeployRequest third = world.prepare(ROLLBACK_PREVIOUS);
        assertEquals(Decision.REJECTED, third.decision(), "nothing older, and never back to web:2 or web:3 by 'previous'");
    }

    /**
     * A rollback asked for while a deploy of web:3 was under way (web:3 live, web:2 before it) waits for the lock; that
     * deploy then rolls itself back. Prepared again, "previous" would go from web:2 to web:1, further back than asked:
     * it is IGNORED. Had the deploy gone live, the rollback goes back from web:3 as asked.
     */
    @Test
    void aRollbackToPreviousThatWaitedGoesBackOnlyFromTheRevisionLiveWhenItQueued() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@sha256:" + "c".repeat(64), PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        world.services.runOnly(v3);
        DeployRequest first = world.prepare(ROLLBACK_PREVIOUS);
        assertEquals(v2, first.targetTaskDefinition());
        world.ledger.registerWaiter("pushdeploy/web", new WaiterItem("exec-1", Action.ROLLBACK, null, null, 1, 1, 1, Long.MAX_VALUE,
                null, first.previousTaskDefinition()));

        world.services.runOnly(v2);
        record(2, Action.DEPLOY, Outcome.ROLLED_BACK, v2, v3, v2);
        DeployRequest again = world.prepare(ROLLBACK_PREVIOUS);
        assertEquals(Decision.IGNORED, again.decision(), again.decisionReason());
        assertEquals("the live revision of pushdeploy/web changed from web:3 to web:2 while this rollback waited for the run ahead of"
                + " it: 'previous' would now go back from web:2, which was not asked; nothing was done (roll back again to go back"
                + " from web:2)", again.decisionReason());
        assertEquals(world.liveArn, world.prepare(ROLLBACK_PREVIOUS, "exec-9").targetTaskDefinition(),
                "a rollback asked for now goes back from web:2");

        world.services.runOnly(v3);
        assertEquals(v2, world.prepare(ROLLBACK_PREVIOUS).targetTaskDefinition(), "unchanged: back from web:3 as asked");
    }

    @Test
    void rollbackToPreviousSkipsDeregisteredRevisions() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@sha256:" + "c".repeat(64), PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        record(2, Action.DEPLOY, Outcome.SUCCEEDED, v2, v3, v3);
        world.services.runOnly(v3);
        world.taskDefinitions.deregister(v2);
        assertEquals(world.liveArn, world.prepare(ROLLBACK_PREVIOUS).targetTaskDefinition());
    }

    private static final String ROLLBACK_PREVIOUS = rollbackTo("previous");

    /** A history record of the {@code n}th request: it moved the service from {@code previous} and ended verifying {@code verified}. */
    private void record(int n, Action action, Outcome outcome, String previous, String release, String verified) {
        world.ledger.putHistory("pushdeploy/web", new HistoryItem("hist#2025-01-0" + n + "T00:00:00.000Z#exec-" + n, "exec-" + n,
                action, "ecr", outcome, "because", null, null, null, null, null, verified, previous, release, verified, null,
                null, List.of(), List.of(), List.of(), null, "Finalize", null, true));
    }

    @Test
    void aToArnOfAnotherAccountIsRejectedNamingIt() {
        String foreign = "arn:aws:ecs:us-east-1:999999999999:task-definition/web:1";
        assertRejected(world.prepare(rollbackTo(foreign)),
                "to: " + foreign + " is in account 999999999999, region us-east-1; the pipeline runs in account 123456789012, "
                    + "region us-east-1");
    }

    @Test
    void duplicateKeysAreRejectedNotResolved() {
        assertRejected(world.prepare("{\"action\":\"rotate\",\"action\":\"deploy\",\"image\":\"web@" + NEW_DIGEST + "\"}"),
                "input: has the key 'action' more than once in one object; give each key once");
    }

    @Test
    void aRollbackThatUndoesARunNamesThatRunsRecord() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        world.services.runOnly(v2);
        String undo = "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + world.liveArn + "\",\"undoes\":\"%s\"}";

        DeployRequest r = world.prepare(undo.formatted("exec-1"));
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals("hist#2025-01-01T00:00:00.000Z#exec-1", r.undoes());

        assertRejected(world.prepare(undo.formatted("exec-9")),
                "undoes: no history record of exec-9 among the newest 100 of pushdeploy/web");

        DeployRequest invalid = world.prepare(undo.formatted("exec 1"));
        assertEquals("undoes: 'exec 1' is not a valid execution name", invalid.decisionReason());

        HistoryItem done = world.ledger.recordOf("pushdeploy/web", "exec-1").orElseThrow();
        world.ledger.completeHistory("pushdeploy/web", new HistoryItem(done.sortKey(), done.requestId(), done.action(), done.source(),
                Outcome.ROLLED_BACK, "undone", null, null, null, null, null, world.liveArn, world.liveArn, v2, world.liveArn, null,
                null, List.of(), List.of(), List.of(), null, "Finalize", "rel-back", false));
        DeployRequest twice = world.prepare(undo.formatted("exec-1"));
        assertEquals("undoes: exec-1 was already undone by rel-back", twice.decisionReason());
        assertNull(world.prepare(rollbackTo("web:1")).undoes(), "an ordinary rollback writes its own record");
    }

    /**
     * A release's rollback of a run whose revision was followed by another (a later push went live, or a change by hand): it
     * would take that later change back too, so it is IGNORED and names what is live; the undone record is left as it is.
     */
    @ParameterizedTest
    @CsvSource({"true, verified by a later run", "false, which no run verified"})
    void aRollbackThatUndoesARunWhoseRevisionWasFollowedByAnotherLeavesTheServiceAlone(boolean later, String how) {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@sha256:" + "c".repeat(64), PrepareFixture.SECRETS);
        record(1, Action.DEPLOY, Outcome.SUCCEEDED, world.liveArn, v2, v2);
        if (later) {
            record(2, Action.DEPLOY, Outcome.SUCCEEDED, v2, v3, v3);
        }
        world.services.runOnly(v3);

        DeployRequest r = world.prepare("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + world.liveArn
                + "\",\"undoes\":\"exec-1\"}");

        assertEquals(Decision.IGNORED, r.decision(), r.decisionReason());
        assertEquals(Revisions.shortName(v2) + ", which exec-1 left live, is no longer live in pushdeploy/web: " + Revisions.shortName(v3)
                + " is, " + how + "; undoing exec-1 now would take that change back too, so nothing was done", r.decisionReason());
        assertEquals(List.of(v3, world.liveArn), java.util.Arrays.asList(r.previousTaskDefinition(), r.targetTaskDefinition()),
                "what it found live and where it was asked to go: the release tells a superseded revision by the two differing");
        assertNull(r.undoes(), "the undone run's record is not completed");
        assertNull(world.ledger.recordOf("pushdeploy/web", "exec-1").orElseThrow().undoneBy());

        world.ledger.locks.put("pushdeploy/web", new LockItem("exec-3", null, Action.DEPLOY, NEW_DIGEST, URI + "@" + NEW_DIGEST, 1, 1, 1,
                PrepareFixture.NOW.getEpochSecond() + 600));
        DeployRequest held = world.prepare("{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + world.liveArn
                + "\",\"undoes\":\"exec-1\"}", "exec-undo-2");
        assertEquals(Decision.PROCEED, held.decision(), "another run holds the lock and may still go back to what is undone: "
                + held.decisionReason());
        assertEquals(v2, held.previousTaskDefinition(), "were it to get the lock at once, it moves the service only from the revision"
                + " it undoes (StartDeployment interrupts it otherwise), never from the later run's");
    }

    @Test
    void rollbackToANamedRevision() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v2);
        DeployRequest byArn = world.prepare(rollbackTo(world.liveArn));
        assertEquals(Decision.PROCEED, byArn.decision(), byArn.decisionReason());
        assertEquals(world.liveArn, byArn.targetTaskDefinition());
        DeployRequest byName = world.prepare(rollbackTo("web:1"));
        assertEquals(world.liveArn, byName.targetTaskDefinition());
    }

    /**
     * A rollback starts tasks of the revision it goes to: refused when Parameter Store no longer holds a slot parameter its
     * managed secrets name (ECS would stop each task unable to pull its secrets); only those slots are asked about.
     */
    @ParameterizedTest(name = "{0} deleted: rejected {1}")
    @CsvSource({"/a, true", "/b, false", "none, false"})
    void aRollbackToARevisionWhoseSlotParameterWasDeletedIsRejected(String deleted, boolean rejected) {
        world.deletedParameters.add(SampleStack.SIGNING_KEY_PARAMETER + deleted);
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST,
                Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/b", "OTHER", "/elsewhere/other"));
        world.services.runOnly(v2);

        DeployRequest r = world.prepare(rollbackTo(world.liveArn));

        assertEquals(List.of(List.of(SampleStack.SIGNING_KEY_PARAMETER + "/a")), world.parameterQuestions, "web:1's slot alone");
        if (rejected) {
            assertRejected(r, "to: web:1 reads its secrets from " + SampleStack.SIGNING_KEY_PARAMETER + "/a, which Parameter Store no"
                    + " longer holds (deleted): no task of web:1 could start; roll back to another revision, or deploy an image");
        } else {
            assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        }
    }

    @Test
    void rollbackToTheLiveRevisionIsIgnoredAndToADeregisteredOneAccepted() {
        DeployRequest live = world.prepare(rollbackTo("web:1"));
        assertEquals(Decision.IGNORED, live.decision());
        assertEquals("web:1 is already live in pushdeploy/web", live.decisionReason());

        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v2);
        world.taskDefinitions.deregister(world.liveArn);
        DeployRequest back = world.prepare(rollbackTo("web:1"));
        assertEquals(Decision.PROCEED, back.decision(), back.decisionReason());
        assertEquals(world.liveArn, back.targetTaskDefinition(), "named, so meant: StartDeployment goes to a copy of it");
    }

    /**
     * A named revision ECS does not describe: an earlier one of the live family existed (revision numbers are never reused),
     * so it was deleted or is no longer kept; any other is named as not existing.
     */
    @Test
    void aNamedRevisionEcsDoesNotDescribeIsRejectedSayingWhy() {
        String v2 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@" + NEW_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v3);
        world.taskDefinitions.forget(v2);

        assertRejected(world.prepare(rollbackTo("web:2")), "to: web:2 is not described by ECS: deleted, or deregistered and no longer"
                + " kept (ECS describes a deregistered revision only as long as it keeps it); roll back to a revision ECS still describes");
        assertRejected(world.prepare(rollbackTo("web:7")), "to: web:7 does not exist");
        assertRejected(world.prepare(rollbackTo("api:1")), "to: api:1 does not exist");
    }

    @Test
    void rotateKeepsTheLiveImage() {
        DeployRequest r = world.prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"key leaked\"}");
        assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
        assertEquals(Action.ROTATE, r.action());
        assertEquals(URI + "@" + LIVE_DIGEST, r.image());
        assertEquals(LIVE_DIGEST, r.digest());
        assertEquals(world.liveArn, r.previousTaskDefinition());
        assertTrue(r.rotate() && r.register());
        assertEquals(Map.of("APP_SIGNING_KEY", "a"), r.liveSlots());
        assertFalse(r.scanGate());
        assertEquals("key leaked", r.reason());
        assertEquals(PrepareFixture.CONFIG_VERSION, r.configVersion());
    }

    /**
     * A rollback starts tasks of the revision it goes to: refused when ECR no longer holds that revision's image of one of
     * the pipeline's repositories; another account's, another registry's or an unconfigured repository's image is not asked about.
     */
    @ParameterizedTest
    @CsvSource({
        // the image the revision runs ({new} its digest),       ECR holds it, rejected
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@{new},   false,        true",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@{new},   true,         false",
        "210987654321.dkr.ecr.us-east-1.amazonaws.com/web@{new},   false,        false",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@{new},   false,        false",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/tools@{new}, false,        false",
        "ghcr.io/example/web@{new},                                false,        false"})
    void aRollbackToARevisionWhoseImageEcrNoLongerHoldsIsRejected(String image, boolean held, boolean rejected) {
        String reference = image.replace("{new}", NEW_DIGEST);
        if (!held) {
            world.registry.delete("web", NEW_DIGEST);
        }
        String old = world.taskDefinitions.add("web", "app", reference, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@" + LIVE_DIGEST, PrepareFixture.SECRETS);
        world.services.runOnly(v3);

        DeployRequest r = world.prepare(rollbackTo(old));

        if (rejected) {
            assertRejected(r, "to: web:2 runs " + reference + ", which ECR no longer holds (deleted, or expired by the lifecycle policy"
                    + " of repository web): no task of web:2 could start; roll back to a revision whose image ECR still holds, or deploy an image");
        } else {
            assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
            assertEquals(reference, r.image());
        }
    }

    /**
     * ECR's archive (UpdateImageStorageClass, or a lifecycle policy's transition): an archived image, or one being restored,
     * cannot be pulled, so a rollback to it, a rotation of it and a deploy of it are refused; an ACTIVE one, or one whose
     * status ECR does not say, is not.
     */
    @ParameterizedTest
    @CsvSource(nullValues = "none", value = {
        "ARCHIVED,   'ECR has archived (ARCHIVED: an archived image cannot be pulled; restore it to the standard storage class, or push it again)'",
        "ACTIVATING, ECR is restoring from its archive (ACTIVATING: it cannot be pulled until it is ACTIVE)",
        "ACTIVE,     none",
        "none,       none"})
    void anImageEcrHoldsOnlyInItsArchiveIsRefusedForEveryRunThatStartsTasksOfIt(String status, String why) {
        world.registry.status("web", NEW_DIGEST, status).status("web", LIVE_DIGEST, status);
        String image = URI + "@" + NEW_DIGEST;
        String old = world.taskDefinitions.add("web", "app", image, PrepareFixture.SECRETS);
        String v3 = world.taskDefinitions.add("web", "app", URI + "@" + LIVE_DIGEST, PrepareFixture.SECRETS);

        DeployRequest deploy = world.prepare(push("v1.1.0", NEW_DIGEST));
        DeployRequest manual = world.prepare("{\"action\":\"deploy\",\"image\":\"web@" + NEW_DIGEST + "\"}");
        world.services.runOnly(v3);
        DeployRequest back = world.prepare(rollbackTo(old));
        DeployRequest rotate = world.prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}");

        if (why == null) {
            for (DeployRequest r : List.of(deploy, manual, back, rotate)) {
                assertEquals(Decision.PROCEED, r.decision(), r.decisionReason());
            }
        } else {
            assertRejected(deploy, "detail.image-digest: " + image + " is an image " + why + ": no task of it could start");
            assertRejected(manual, "image: " + image + " is an image " + why + ": no task of it could start");
            assertRejected(back, "to: web:2 runs " + image + ", which " + why + ": no task of web:2 could start; roll back to a"
                    + " revision whose image ECR still holds, or deploy an image");
            assertRejected(rotate, "service: the live revision web:3 runs " + URI + "@" + LIVE_DIGEST + ", which " + why
                    + ": a rotation starts new tasks of it, and none could start; deploy an image first");
        }
    }

    /** A rotation starts new tasks of the live image: refused when ECR no longer holds it. */
    @Test
    void aRotationWhoseLiveImageEcrNoLongerHoldsIsRejected() {
        world.registry.delete("web", LIVE_DIGEST);
        DeployRequest r = world.prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}");
        assertRejected(r, "service: the live revision web:1 runs " + URI + "@" + LIVE_DIGEST + ", which ECR no longer holds (deleted,"
                + " or expired by the lifecycle policy of repository web): a rotation starts new tasks of it, and none could start;"
                + " deploy an image first");
    }

    @Test
    void rotateWithoutManagedSecretsIsRejected() {
        String noSecrets = SampleStack.configDocument(null).replaceAll("\"secrets\": \\[[^\\]]*\\],", "");
        assertRejected(new PrepareFixture(noSecrets).prepare("{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}"),
                "service: pushdeploy/web has no managed secrets to rotate");
    }

    @Test
    void aServiceMissingInEcsIsRejected() {
        world.services.delete();
        assertRejected(world.prepare(push("v1.1.0", NEW_DIGEST)), "service: pushdeploy/web does not exist in ECS");
    }

    @Test
    void aLiveRevisionWithoutTheTargetContainerIsRejected() {
        String sidecarOnly = world.taskDefinitions.add("web", "sidecar", URI + "@" + LIVE_DIGEST, Map.of());
        world.services.runOnly(sidecarOnly);
        assertRejected(world.prepare(push("v1.1.0", NEW_DIGEST)),
                "container: app is not a container of web:2 (check the configuration)");
    }
}
