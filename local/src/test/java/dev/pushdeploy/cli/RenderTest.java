package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.ops.Reports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The operator reports for people and as JSON: the strategy and how far each rollout got. */
class RenderTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Output output(boolean json) {
        return new Output(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), json, false);
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    static Reports.Entry entry(String outcome, String strategy, String stage, Double max) {
        return new Reports.Entry("2026-11-30T17:00:00.000Z", outcome, "deploy", "ecr", "web@sha256:1", "v1.1.0", "sha256:1",
                "web:2", "web:1", 12.5, "why it ended", "exec-1", strategy, stage, max);
    }

    @Test
    void historyShowsTheStrategyTheStageReachedAndTheHighestProductionShare() {
        Render.history(output(false), List.of(
                entry("ROLLED_BACK", "CANARY", "POST_TEST_TRAFFIC_SHIFT", 0.0),
                entry("SUCCEEDED", "BLUE_GREEN", "CLEAN_UP", 100.0),
                entry("SUCCEEDED", "LINEAR", "BAKE_TIME", 33.5),
                entry("SUPERSEDED", null, null, null)));

        List<String> lines = printed().lines().toList();
        assertEquals("    canary, reached POST_TEST_TRAFFIC_SHIFT, production traffic up to 0 %", lines.get(2), printed());
        assertEquals("    blue/green, reached CLEAN_UP, production traffic up to 100 %", lines.get(5), printed());
        assertEquals("    linear, reached BAKE_TIME, production traffic up to 33.5 %", lines.get(8), printed());
        assertTrue(lines.get(10).startsWith("2026-11-30 17:00:00  SUPERSEDED"), printed());
        assertEquals("    why it ended", lines.get(11), "a run without a rollout shows no strategy line: " + printed());
        assertEquals(12, lines.size(), printed());
    }

    /** The way back went to a copy of a deregistered revision: status says which one it stands for. */
    @Test
    void statusOfACopySaysWhichRevisionItStandsFor() {
        Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                new Reports.Live("arn:aws:ecs:us-east-1:123456789012:task-definition/web:7", "web:7", "web@sha256:1", "sha256:1",
                        List.of("v1.0.0"), List.of(), "push-web-v1-0-0", true, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:4", "ACTIVE",
                        true, "ACTIVE"),
                null, List.of(), null, List.of(), List.of());

        Render.status(output(false), status);

        assertTrue(printed().contains("  live       web:7  (release push-web-v1-0-0)  web:4 registered again: it had been deregistered\n"),
                printed());
    }

    /**
     * The live revision deregistered or deleted by hand (clean-up scripts do both): status says ECS moves no service back
     * to it and that the next deploy keeps a copy of it as its way back.
     */
    @ParameterizedTest
    @CsvSource(nullValues = "none", delimiter = '|', value = {
        "INACTIVE           | deregistered (INACTIVE): ECS moves no service back to it; the next deploy registers a copy of it as its way back",
        "DELETE_IN_PROGRESS | deleted (DELETE_IN_PROGRESS), gone once the service leaves it: ECS moves no service back to it; the next deploy registers a copy of it as its way back",
        "ACTIVE             | none"})
    void statusSaysWhenTheLiveRevisionWasDeregisteredOrDeleted(String revisionStatus, String warning) {
        Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                new Reports.Live("arn:web:2", "web:2", "web@sha256:1", "sha256:1", List.of("v1.0.0"), List.of(), "push-web-v1-0-0", true,
                        null, "ACTIVE", true, revisionStatus),
                null, List.of(), null, List.of(), List.of());

        Render.status(output(false), status);

        String line = printed().lines().filter(l -> l.startsWith("  live ")).findFirst().orElseThrow();
        assertEquals("  live       web:2  (release push-web-v1-0-0)" + (warning == null ? "" : "  " + warning), line);
    }

    /**
     * The live image deleted from ECR (or expired by its lifecycle policy) or archived: status says what that breaks; an image
     * without its keep tag yet (it went live before keep tags), that the lifecycle policy may still expire it.
     */
    @ParameterizedTest
    @CsvSource(nullValues = "none", delimiter = '|', quoteCharacter = '"', value = {
        "NOT_IN_ECR | none  | no longer in ECR (deleted, or expired by the repository's lifecycle policy): no new task of it can start, nor can a rotation; deploy an image",
        "ARCHIVED   | true  | archived in ECR (ARCHIVED): no new task of it can start, nor can a rotation; restore it to the standard storage class, or push it again",
        "ACTIVATING | false | being restored from ECR's archive (ACTIVATING): no new task of it can start, nor can a rotation until it is ACTIVE",
        "ACTIVE     | false | not kept yet: the repository's lifecycle policy may expire it (the pipeline tags it at the end of the next run)",
        "ACTIVE     | true  | none",
        "none       | none  | none"})
    void statusSaysWhenTheLiveImageCannotBePulledOrMayExpire(String imageStatus, Boolean kept, String warning) {
        Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                new Reports.Live("arn:web:1", "web:1", "web@sha256:1", "sha256:1", List.of(), List.of(), null, true, null, imageStatus, kept, "ACTIVE"),
                null, List.of(), null, List.of(), List.of());

        Render.status(output(false), status);

        String line = printed().lines().filter(l -> l.startsWith("  image ")).findFirst().orElseThrow();
        assertEquals("  image      untagged  sha256:1" + (warning == null ? "" : "  " + warning), line, "imageStatus " + imageStatus);
    }

    @Test
    void statusShowsTheServicesStrategyAndHowFarEachRecentRolloutGot() {
        Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                new Reports.Live("arn:web:1", "web:1", "web@sha256:1", "sha256:1", List.of("v1.0.0"), List.of(), null),
                new Reports.Health("BLUE_GREEN", "COMPLETED", null, 2, 2, 0, 0, 1, 2, 2), List.of(), null, List.of(),
                List.of(entry("ROLLED_BACK", "BLUE_GREEN", "BAKE_TIME", 100.0), entry("DUPLICATE", null, null, null)));

        Render.status(output(false), status);

        String text = printed();
        assertTrue(text.contains("  strategy   blue/green\n"), text);
        assertTrue(text.contains("ROLLED_BACK     v1.1.0         web:2  blue/green, reached BAKE_TIME, production traffic up to 100 %\n"), text);
        assertTrue(text.contains("DUPLICATE       v1.1.0         web:2\n"), text);
    }

    @Test
    void statusTellsALockKeptForAnEndedRunFromALiveHoldersLease() {
        for (boolean kept : List.of(false, true)) {
            out.reset();
            Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                    new Reports.Live("arn:web:1", "web:1", "web@sha256:1", "sha256:1", List.of("v1.0.0"), List.of(), null),
                    new Reports.Health("ROLLING", "COMPLETED", null, 2, 2, 0, 0, 1, 2, 2), List.of(),
                    new Reports.Holder("exec-1", "deploy", "web@sha256:2", "2026-11-30T17:00:00Z", "2026-11-30T17:02:30Z", false, kept),
                    List.of(), List.of());

            Render.status(output(false), status);

            assertTrue(printed().contains("  lock       held by exec-1 (deploy) since 2026-11-30T17:00:00Z, "
                    + (kept ? "its run ended; kept until " : "lease until ") + "2026-11-30T17:02:30Z\n"), printed());
        }
    }

    @Test
    void statusOfAServiceWithNoReleaseSaysSoInsteadOfShowingTheBootstrapImageAsLive() {
        Reports.Status status = new Reports.Status("pushdeploy", "pushdeploy/web",
                new Reports.Live("arn:web:1", "web:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:bootstrap", null, List.of(),
                        List.of(new Reports.SecretSlot("APP_SIGNING_KEY", null, null, null)), null, false, null, null, null, "ACTIVE"),
                new Reports.Health("ROLLING", "COMPLETED", null, 0, 0, 0, 0, 1, 0, 0), List.of(), null, List.of(), List.of());

        Render.status(output(false), status);

        String text = printed();
        assertTrue(text.contains("  live       no release yet: web:1 is the stack's bootstrap revision "
                + "(123456789012.dkr.ecr.us-east-1.amazonaws.com/web:bootstrap); the first push of a matching tag is the first release\n"), text);
        assertFalse(text.contains("  image "), text);
        assertFalse(text.contains("slot ?"), text);
    }

    @Test
    void theJsonNamesStrategyStageAndHighestShare() {
        output(true).json(List.of(entry("ROLLED_BACK", "CANARY", "PRODUCTION_TRAFFIC_SHIFT", 10.0), entry("SUPERSEDED", null, null, null)));

        var json = Json.tree(printed());
        assertEquals("CANARY", json.get(0).get("strategy").asText());
        assertEquals("PRODUCTION_TRAFFIC_SHIFT", json.get(0).get("stage").asText());
        assertEquals(10.0, json.get(0).get("maxProductionPercent").asDouble());
        assertFalse(json.get(1).hasNonNull("strategy"), printed());
    }
}
