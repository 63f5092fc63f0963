package dev.pushdeploy.request;

import static dev.pushdeploy.request.PrepareFixture.NEW_DIGEST;
import static dev.pushdeploy.request.PrepareFixture.push;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.error.TransientException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.DeployRequest;
import dev.pushdeploy.model.QuickRetry;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.model.ScanStatus;
import dev.pushdeploy.request.ScanFindings.ScanReport;
import dev.pushdeploy.testing.SampleStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScanWatcherTest {
    private final MutableClock clock = new MutableClock(PrepareFixture.NEW_PUSHED.plusSeconds(30));
    private final FakeRegistry registry = new FakeRegistry();
    /** While set, every read of a scan is throttled beyond the SDK's retries. */
    private final AtomicBoolean throttled = new AtomicBoolean();
    private final ScanFindings findings = registry.throttledWhile(throttled::get);
    private final FakeScanWatches watches = new FakeScanWatches();
    private final ScanWatcher watcher = new ScanWatcher(
            new ScanGate(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))), findings, clock), watches, watches, clock);
    private final StepLog log = StepLog.to(line -> { }, "test");
    private final DeployRequest web = new PrepareFixture(SampleStack.configDocument("HIGH")).prepare(push("v1.1.0", NEW_DIGEST));

    @Test
    void aScanThatCompletedAlreadyAnswersTheWaitAtOnce() {
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("HIGH", 1)));
        ScanResult result = watcher.watch("t1", web, 0, 0, log);

        assertEquals(ScanStatus.FAILED, result.status());
        assertEquals(Map.of("t1", result), watches.answered());
        assertEquals(List.of(), watches.watches(), "an answered watch is removed");
    }

    @Test
    void aPendingScanLeavesTheTokenForItsEventWhichAnswersIt() {
        registry.scan(NEW_DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));
        ScanResult pending = watcher.watch("t1", web, 0, 0, log);
        assertEquals(ScanStatus.PENDING, pending.status());
        assertEquals(Map.of(), watches.answered());
        assertEquals(1, watches.watches().size());
        assertTrue(watches.watches().get(0).expiresAt() > web.startedAt() / 1000 + ScanGate.DEFAULT_DEADLINE_SECONDS,
                "the watch outlives the scan's deadline");

        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("MEDIUM", 2)));
        clock.advance(Duration.ofSeconds(40));
        List<ScanResult> answers = watcher.onScan("web", NEW_DIGEST, log);

        assertEquals(List.of(ScanStatus.PASSED), answers.stream().map(ScanResult::status).toList());
        assertEquals(Map.of("t1", answers.get(0)), watches.answered());
        assertEquals(List.of(), watches.watches());
    }

    @Test
    void anEventBeforeTheFindingsShowLeavesTheWaitForTheNextLook() {
        watcher.watch("t1", web, 0, 0, log);
        List<ScanResult> answers = watcher.onScan("web", NEW_DIGEST, log);

        assertEquals(List.of(ScanStatus.PENDING), answers.stream().map(ScanResult::status).toList());
        assertEquals(Map.of(), watches.answered());
        assertEquals(1, watches.watches().size(), "still waiting");
    }

    @Test
    void anEventOfAnotherRepositoryOrOfAnImageStillScanningAnswersNothing() {
        watcher.watch("t1", web, 0, 0, log);

        assertEquals(List.of(ScanStatus.PENDING), watcher.onScan("web", "sha256:" + SampleStack.sha256("other"), log).stream()
                .map(ScanResult::status).toList(), "another image of the repository: the wait looks again, its scan still runs");
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));
        assertEquals(List.of(), watcher.onScan("api", NEW_DIGEST, log));
        assertEquals(Map.of(), watches.answered());
        assertEquals(1, watches.watches().size());
    }

    /**
     * DynamoDB's TTL deletes an expired item within days, not at once: a watch past its time (its run's wait ended) is
     * neither looked at nor answered by an event, and goes.
     */
    @Test
    void aWatchPastItsTimeIsNotLookedAtAndGoes() {
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));
        DeployRequest api = web.toBuilder().service("api").build();
        watches.register(new ScanWatch("old", api, clock.millis() / 1000 - 1, 0));
        watches.register(new ScanWatch("t1", web, clock.millis() / 1000 + 600, 0));

        List<ScanResult> answers = watcher.onScan("web", NEW_DIGEST, log);

        assertEquals(List.of(ScanStatus.PASSED), answers.stream().map(ScanResult::status).toList());
        assertEquals(List.of("t1"), List.copyOf(watches.answered().keySet()), "the expired watch is not answered");
        assertEquals(List.of(), watches.watches(), "and it is gone");
    }

    /** The image's own event was lost: the next scan event of its repository answers the wait all the same. */
    @Test
    void anotherImagesEventOfTheRepositoryAnswersAWaitWhoseScanEnded() {
        watcher.watch("t1", web, 0, 0, log);
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));

        watcher.onScan("web", "sha256:" + SampleStack.sha256("other"), log);

        assertEquals(ScanStatus.PASSED, watches.answered().get("t1").status());
        assertEquals(List.of(), watches.watches());
    }

    /**
     * A run waiting on an image index: ECR's events name the platform images as their scans end; the first leaves the
     * wait (the other still scans), the second answers it.
     */
    @Test
    void aWaitForAnIndexIsAnsweredByItsPlatformImagesEvents() {
        registry.repository("web").image("web", ScanGateTest.AMD64, null, PrepareFixture.NEW_PUSHED)
                .image("web", ScanGateTest.ARM64, null, PrepareFixture.NEW_PUSHED)
                .index("web", NEW_DIGEST, "v1.1.0", List.of(ScanGateTest.AMD64, ScanGateTest.ARM64));
        assertEquals(ScanStatus.PENDING, watcher.watch("t1", web, 0, 0, log).status());

        registry.scan(ScanGateTest.AMD64, new ScanReport("COMPLETE", null, Map.of("LOW", 1)));
        assertEquals(List.of(ScanStatus.PENDING), watcher.onScan("web", ScanGateTest.AMD64, log).stream().map(ScanResult::status).toList());
        registry.scan(ScanGateTest.ARM64, new ScanReport("COMPLETE", null, Map.of()));
        watcher.onScan("web", ScanGateTest.ARM64, log);

        assertEquals(ScanStatus.PASSED, watches.answered().get("t1").status());
        assertEquals(Map.of("LOW", 1), watches.answered().get("t1").findingCounts());
        assertEquals(List.of(), watches.watches());
    }

    @Test
    void everyServiceWaitingForTheImageIsAnsweredByItsOwnGate() {
        DeployRequest api = web.toBuilder().service("api").requestId("push-api-v1-1-0").build();
        watcher.watch("t-web", web, 0, 0, log);
        watcher.watch("t-api", api, 0, 0, log);
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of("CRITICAL", 1)));

        watcher.onScan("web", NEW_DIGEST, log);

        // the sample configuration gates web only: api's answer is its own, PASSED
        assertEquals(Map.of("t-web", ScanStatus.FAILED, "t-api", ScanStatus.PASSED), Map.of(
                "t-web", watches.answered().get("t-web").status(), "t-api", watches.answered().get("t-api").status()));
        assertEquals(List.of(), watches.watches());
    }

    /**
     * Two pushes of the repository wait for their scans; a scan event of it checks both, and ECR's findings cannot be read
     * for the first's gate (throttled beyond the SDK's retries): the second still gets its answer. The first, while its
     * wait has quick retries left, is resumed PENDING to watch again at once; after them its failure comes after the
     * others' answers, for EventBridge to deliver the event again to the watch that stays.
     */
    @ParameterizedTest
    @CsvSource({"0, true", "5, true", "6, false", "7, false"})
    void aScanThatCannotBeReadForOneRunDoesNotKeepTheOthersFromTheirAnswers(int firstsRetries, boolean watchesAgain) {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ScanFindings throttledOnce = registry.throttledWhile(() -> reads.getAndIncrement() == 0);
        ScanWatcher flaky = new ScanWatcher(new ScanGate(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))),
                throttledOnce, clock), watches, watches, clock);
        String next = "sha256:" + SampleStack.sha256("v1.1.1");
        DeployRequest second = web.toBuilder().requestId("push-web-v1-1-1").digest(next).image("web@" + next).build();
        registry.scan(NEW_DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));
        registry.scan(next, new ScanReport("IN_PROGRESS", null, Map.of()));
        watcher.watch("t-first", web, firstsRetries, 0, log);
        watcher.watch("t-second", second, 0, 0, log);
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));
        registry.scan(next, new ScanReport("COMPLETE", null, Map.of("MEDIUM", 1)));

        if (watchesAgain) {
            List<ScanResult> answers = flaky.onScan("web", NEW_DIGEST, log);
            assertEquals(List.of(ScanStatus.PENDING, ScanStatus.PASSED), answers.stream().map(ScanResult::status).toList());
            assertTrue(watches.answered().get("t-first").reason().contains("ThrottlingException"), watches.answered().toString());
            assertEquals(List.of(), watches.watches(), "the first run registers its next watch");
        } else {
            TransientException unread = assertThrows(TransientException.class, () -> flaky.onScan("web", NEW_DIGEST, log));
            assertTrue(unread.getMessage().contains("ThrottlingException"), unread.getMessage());
            assertEquals(List.of("t-second"), List.copyOf(watches.answered().keySet()));
            assertEquals(List.of("t-first"), watches.watches().stream().map(ScanWatch::token).toList(),
                    "the first run's watch stays for the event's next delivery");
        }
        assertEquals(ScanStatus.PASSED, watches.answered().get("t-second").status());
    }

    /**
     * A look that fails for good for one run (its scan denied: a repository policy, a permission taken away) keeps no other
     * run waiting in the repository from its answer; its failure comes after the others', and its watch stays for the event's
     * next delivery. Before, the first such look ended the event and every later event of the repository the same way.
     */
    @Test
    void aLookThatFailsForOneRunDoesNotKeepTheOthersFromTheirAnswers() {
        ScanFindings denied = new ScanFindings() {
            @Override
            public java.util.Optional<ScanReport> scan(String repository, String digest) {
                if (digest.equals(NEW_DIGEST)) {
                    throw new dev.pushdeploy.error.AwsFailureException("ecr:DescribeImageScanFindings web@" + digest
                            + " failed: AccessDeniedException", null);
                }
                return registry.scan(repository, digest);
            }

            @Override
            public List<String> platformImages(String repository, String digest) {
                return registry.platformImages(repository, digest);
            }
        };
        ScanWatcher partly = new ScanWatcher(new ScanGate(ConfigSource.of(ConfigParser.parse(SampleStack.configDocument("HIGH"))),
                denied, clock), watches, watches, clock);
        String next = "sha256:" + SampleStack.sha256("v1.1.1");
        DeployRequest second = web.toBuilder().requestId("push-web-v1-1-1").digest(next).image("web@" + next).build();
        registry.scan(NEW_DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));
        registry.scan(next, new ScanReport("IN_PROGRESS", null, Map.of()));
        watcher.watch("t-first", web, 0, 0, log);
        watcher.watch("t-second", second, 0, 0, log);
        registry.scan(next, new ScanReport("COMPLETE", null, Map.of()));

        RuntimeException failed = assertThrows(RuntimeException.class, () -> partly.onScan("web", next, log));

        assertTrue(failed.getMessage().contains("AccessDeniedException"), failed.getMessage());
        assertEquals(ScanStatus.PASSED, java.util.Optional.ofNullable(watches.answered().get("t-second")).map(ScanResult::status)
                .orElse(null), "the second run answered despite the first's failure: " + watches.answered());
        assertEquals(List.of("t-first"), watches.watches().stream().map(ScanWatch::token).toList());
    }

    /**
     * Every scan event of the repository looks again for a waiting run (another image's, a platform image's, Inspector's
     * rescans), so a run's resumes by events whose look cannot read the scan are counted: after
     * {@link QuickRetry#EVENT_RESUMES} the event's look fails, for EventBridge to deliver it again, and the watch stays;
     * the service's next run counts afresh.
     */
    @Test
    void scanEventsResumeARunThatCannotReadTheScanABoundedNumberOfTimes() {
        registry.scan(NEW_DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));
        throttled.set(true);
        for (int i = 1; i <= QuickRetry.EVENT_RESUMES; i++) {
            watches.register(new ScanWatch("t" + i, web, Long.MAX_VALUE, 0));
            assertEquals(List.of(ScanStatus.PENDING), watcher.onScan("web", NEW_DIGEST, log).stream().map(ScanResult::status).toList());
        }
        watches.register(new ScanWatch("last", web, Long.MAX_VALUE, 0));
        TransientException failed = assertThrows(TransientException.class, () -> watcher.onScan("web", NEW_DIGEST, log));

        assertTrue(failed.getMessage().contains("ThrottlingException"), failed.getMessage());
        assertEquals(QuickRetry.EVENT_RESUMES, watches.answered().size());
        assertEquals(List.of("last"), watches.watches().stream().map(ScanWatch::token).toList(), "the watch stays");

        DeployRequest next = web.toBuilder().requestId("push-web-v1-1-2").build();
        watches.register(new ScanWatch("next", next, Long.MAX_VALUE, 0));
        assertEquals(List.of(ScanStatus.PENDING), watcher.onScan("web", NEW_DIGEST, log).stream().map(ScanResult::status).toList());
        assertEquals(ScanStatus.PENDING, watches.answered().get("next").status(), "the next run was resumed");
    }

    /**
     * The registration's look, which may have missed the scan's event (stored too late): a scan that cannot be read before
     * the deadline is thrown for the task's Retry to look again within seconds, {@link QuickRetry#RETRIES} times per wait
     * and within {@link QuickRetry#SECONDS} of its start; after that the task waits, as for a lost event, and an event's look
     * that cannot read resumes it PENDING while its wait had retries left, else fails for EventBridge's redelivery. Past
     * the deadline any look answers TIMED_OUT, read or not.
     */
    @ParameterizedTest
    @CsvSource({
            // retries, waited s, readable, past the deadline, answer
            "0, 0,   false, false, THROWN",
            "5, 0,   false, false, THROWN",
            "5, 89,  false, false, THROWN",
            "6, 0,   false, false, PENDING",
            "7, 0,   false, false, PENDING",
            "0, 90,  false, false, PENDING",
            "2, 300, false, false, PENDING",
            "0, 0,   false, true,  TIMED_OUT",
            "6, 300, false, true,  TIMED_OUT",
            "0, 0,   true,  false, PENDING",
            "6, 300, true,  false, PENDING",
            "0, 0,   true,  true,  TIMED_OUT",
    })
    void aScanThatCannotBeReadHasTheWaitRetriedAFewTimesThenWaits(int retries, int waitedSeconds, boolean readable, boolean past,
                                                                    String answer) {
        registry.scan(NEW_DIGEST, new ScanReport("IN_PROGRESS", null, Map.of()));
        Instant deadline = Instant.ofEpochMilli(web.startedAt()).plusSeconds(ScanGate.DEFAULT_DEADLINE_SECONDS);
        clock.set(past ? deadline : deadline.minusSeconds(ScanGate.DEFAULT_DEADLINE_SECONDS - 30));
        throttled.set(!readable);
        Supplier<ScanResult> watch = () -> watcher.watch("t1", web, retries, waitedSeconds * 1000L, log);

        if (answer.equals("THROWN")) {
            assertTrue(assertThrows(TransientException.class, watch::get).getMessage().contains("ThrottlingException"));
            assertEquals(List.of("t1"), watches.watches().stream().map(ScanWatch::token).toList(), "stored before the look");
            assertEquals(retries, watches.watches().get(0).retries());
            assertEquals(Map.of(), watches.answered());
            return;
        }
        ScanResult result = watch.get();
        assertEquals(ScanStatus.valueOf(answer), result.status(), result.reason());
        assertEquals(!readable, result.reason().contains("the scan could not be read: ecr:DescribeImageScanFindings"), result.reason());
        if (result.status() == ScanStatus.TIMED_OUT) {
            assertTrue(result.reason().startsWith("no scan result for " + NEW_DIGEST + " within 1800 s ("), result.reason());
            assertEquals(Map.of("t1", result), watches.answered());
            assertEquals(List.of(), watches.watches());
            return;
        }
        assertEquals(ScanGate.MAX_RECHECK_SECONDS, result.recheckSeconds(), "the wait's timeout, as for a scan still running");
        assertEquals(Map.of(), watches.answered(), "left waiting");
        if (readable) {
            return;
        }
        if (QuickRetry.event(retries)) {
            assertEquals(List.of(ScanStatus.PENDING), watcher.onScan("web", NEW_DIGEST, log).stream().map(ScanResult::status).toList());
            assertEquals(ScanStatus.PENDING, watches.answered().get("t1").status(), "an event's look has the workflow watch again");
            assertEquals(List.of(), watches.watches());
        } else {
            TransientException failed = assertThrows(TransientException.class, () -> watcher.onScan("web", NEW_DIGEST, log));
            assertTrue(failed.getMessage().contains("ThrottlingException"), failed.getMessage());
            assertEquals(Map.of(), watches.answered());
            assertEquals(List.of("t1"), watches.watches().stream().map(ScanWatch::token).toList(), "kept for the redelivery");
        }
    }

    /**
     * The configuration cannot be read either (its deadline unknown): the wait is judged by the longest deadline a target
     * may have, TIMED_OUT only past it, and never fails past its quick retries.
     */
    @ParameterizedTest
    @CsvSource({"0, PENDING", "1800, TIMED_OUT"})
    void aLookThatCannotReadTheConfigurationEitherIsJudgedByTheLongestDeadline(int sinceStart, ScanStatus answer) {
        ScanWatcher blind = new ScanWatcher(new ScanGate(() -> {
            throw new TransientException("ssm:GetParameter failed transiently: ThrottlingException: Rate exceeded", null);
        }, findings, clock), watches, watches, clock);
        clock.set(Instant.ofEpochMilli(web.startedAt()).plusSeconds(sinceStart));

        ScanResult result = blind.watch("t1", web, QuickRetry.RETRIES, 0, log);

        assertEquals(answer, result.status(), result.reason());
        assertTrue(result.reason().contains("ssm:GetParameter"), result.reason());
    }

    @Test
    void aWaitThatEndedMeanwhileLosesItsWatchAllTheSame() {
        watcher.watch("t1", web, 0, 0, log);
        watches.gone("t1");
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));

        watcher.onScan("web", NEW_DIGEST, log);

        assertEquals(Map.of(), watches.answered());
        assertEquals(List.of(), watches.watches());
    }

    @Test
    void aNewerWaitOfTheSameServiceReplacesTheOlderOne() {
        watcher.watch("old", web, 0, 0, log);
        watcher.watch("new", web, 0, 0, log);
        registry.scan(NEW_DIGEST, new ScanReport("COMPLETE", null, Map.of()));

        watcher.onScan("web", NEW_DIGEST, log);

        assertEquals(List.of("new"), List.copyOf(watches.answered().keySet()));
    }

    @Test
    void aWaitWithoutAnImageOrATokenIsRefusedAndNothingIsStored() {
        DeployRequest noDigest = web.toBuilder().digest(null).build();
        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> watcher.watch("t1", noDigest, 0, 0, log));
        assertTrue(refused.getMessage().contains("request"), refused.getMessage());
        assertThrows(InvalidRequestException.class, () -> watcher.watch("t1", null, 0, 0, log));
        assertThrows(InvalidRequestException.class, () -> watcher.watch(" ", web, 0, 0, log));
        assertEquals(List.of(), watches.watches());
        assertEquals(Map.of(), watches.answered());
    }

    @Test
    void pastTheDeadlineTheWaitIsAnsweredTimedOut() {
        clock.set(java.time.Instant.ofEpochMilli(web.startedAt()).plusSeconds(ScanGate.DEFAULT_DEADLINE_SECONDS));
        ScanResult result = watcher.watch("t1", web, 0, 0, log);

        assertEquals(ScanStatus.TIMED_OUT, result.status());
        assertEquals(Map.of("t1", result), watches.answered());
    }
}
