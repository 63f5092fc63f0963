package dev.pushdeploy.request;

import dev.pushdeploy.model.Decision;
import dev.pushdeploy.model.DeployRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input ends REJECTED, with a reason that starts with the offending field. */
class PreparerValidationTest {
    private static final String NEW = PrepareFixture.NEW_DIGEST;
    private static final String WEB_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web";

    static Stream<Arguments> badInputs() {
        return Stream.of(
                row("a string, not an object", "\"deploy web\"", "input"),
                row("an array", "[1,2]", "input"),
                row("an empty object", "{}", "input"),
                row("unknown action", "{\"action\":\"destroy\",\"service\":\"pushdeploy/web\"}", "action"),
                row("action not a string", "{\"action\":5}", "action"),
                row("misspelt field", "{\"action\":\"deploy\",\"image\":\"web:v1.1.0\",\"servcie\":\"pushdeploy/web\"}", "servcie"),
                row("rotate with a rollback field", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}", "to"),
                row("deploy without image", "{\"action\":\"deploy\"}", "image"),
                row("short digest", "{\"action\":\"deploy\",\"image\":\"web@sha256:abc\"}", "image"),
                row("uppercase digest", "{\"action\":\"deploy\",\"image\":\"web@" + NEW.toUpperCase() + "\"}", "image"),
                row("md5 digest", "{\"action\":\"deploy\",\"image\":\"web@md5:" + "a".repeat(32) + "\"}", "image"),
                row("bad tag", "{\"action\":\"deploy\",\"image\":\"web:-latest\"}", "image"),
                row("neither tag nor digest", "{\"action\":\"deploy\",\"image\":\"web\"}", "image"),
                row("tag and digest", "{\"action\":\"deploy\",\"image\":\"web:v1.1.0@" + NEW + "\"}", "image"),
                row("image not a string", "{\"action\":\"deploy\",\"image\":[\"web\"]}", "image"),
                row("oversize image", "{\"action\":\"deploy\",\"image\":\"" + "w".repeat(600) + ":v1\"}", "image"),
                row("unmapped repository", "{\"action\":\"deploy\",\"image\":\"api@" + NEW + "\"}", "image"),
                row("digest not in ECR", "{\"action\":\"deploy\",\"image\":\"web@" + PrepareFixture.UNKNOWN_DIGEST + "\"}", "image"),
                row("tag not in ECR", "{\"action\":\"deploy\",\"image\":\"web:v9.9.9\"}", "image"),
                row("foreign registry", "{\"action\":\"deploy\",\"image\":\"999999999999.dkr.ecr.eu-west-1.amazonaws.com/web@" + NEW + "\"}", "image"),
                row("service of another repository", "{\"action\":\"deploy\",\"service\":\"pushdeploy/api\",\"image\":\"web@" + NEW + "\"}", "service"),
                row("service without cluster", "{\"action\":\"rotate\",\"service\":\"web\"}", "service"),
                row("service not a string", "{\"action\":\"rotate\",\"service\":{\"name\":\"web\"}}", "service"),
                row("unconfigured service", "{\"action\":\"rotate\",\"service\":\"pushdeploy/api\"}", "service"),
                row("reason of 1025 bytes", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"" + "r".repeat(1025) + "\"}", "reason"),
                row("reason of 513 characters, 1026 bytes", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"" + "é".repeat(513) + "\"}", "reason"),
                row("the same key twice", "{\"action\":\"rotate\",\"action\":\"deploy\",\"image\":\"web@" + NEW + "\"}", "input"),
                row("the same key twice in the event detail", PrepareFixture.push("v1.1.0", NEW).replace("\"result\":\"SUCCESS\"",
                        "\"result\":\"SUCCESS\",\"result\":\"FAILURE\""), "input"),
                row("two JSON values", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"} {}", "input"),
                row("not JSON", "{\"action\":", "input"),
                row("an input over 8 KiB", PrepareFixture.push("v1.1.0", NEW).replace("\"resources\":[]",
                        "\"resources\":[],\"padding\":\"" + "x".repeat(8200) + "\""), "input"),
                row("event from another account", PrepareFixture.push("v1.1.0", NEW).replace("123456789012", "999999999999"), "account"),
                row("event from another region", PrepareFixture.push("v1.1.0", NEW).replace("us-east-1", "eu-west-1"), "region"),
                row("rollback to an ARN of another account", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\""
                        + WEB_ARN.replace("123456789012", "999999999999") + ":1\"}", "to"),
                row("rollback to an ARN of another region", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\""
                        + WEB_ARN.replace("us-east-1", "eu-west-1") + ":1\"}", "to"),
                row("NUL in reason", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"a\\u0000b\"}", "reason"),
                row("newline in reason", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"line\\nforged log line\"}", "reason"),
                row("bidi override in reason", "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\",\"reason\":\"fix \\u202Eevil\"}", "reason"),
                row("ESC in service", "{\"action\":\"rotate\",\"service\":\"pushdeploy/\\u001b[31mweb\"}", "service"),
                row("rollback without to", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\"}", "to"),
                row("rollback to a date", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"yesterday\"}", "to"),
                row("rollback to a missing revision", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + WEB_ARN + ":99\"}", "to"),
                row("rollback to another family", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"other:1\"}", "to"),
                row("rollback to previous without one", "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"previous\"}", "to"),
                row("event from another source", "{\"source\":\"aws.s3\",\"detail-type\":\"ECR Image Action\",\"detail\":{}}", "source"),
                row("event of another type", "{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Scan\",\"detail\":{}}", "detail-type"),
                row("event detail not an object", "{\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"detail\":\"push\"}", "detail"),
                row("event without digest", PrepareFixture.push("web", "v1.1.0", "", "PUSH", "SUCCESS"), "detail.image-digest"),
                row("event with a bad digest", PrepareFixture.push("web", "v1.1.0", "sha256:zz", "PUSH", "SUCCESS"), "detail.image-digest"),
                row("event with a bad tag", PrepareFixture.push("web", "v1 1", NEW, "PUSH", "SUCCESS"), "detail.image-tag"),
                row("event for an unmapped repository", PrepareFixture.push("api", "v1.1.0", NEW, "PUSH", "SUCCESS"), "detail.repository-name"),
                row("event for a digest not in ECR", PrepareFixture.push("web", "v1.1.0", PrepareFixture.UNKNOWN_DIGEST, "PUSH", "SUCCESS"), "detail.image-digest"));
    }

    private static Arguments row(String what, String json, String field) {
        return Arguments.of(what, json, field);
    }

    /**
     * A released service scaled to 0 tasks (by hand, by Application Auto Scaling) runs nothing a rollout could be judged
     * on: a deploy, a push or a rotation there is refused, naming the service, before anything changes.
     */
    @ParameterizedTest(name = "{0} to a service at 0 tasks → REJECTED")
    @CsvSource(delimiter = '|', value = {
        "push     | PUSH   | a deploy",
        "deploy   | DEPLOY | a deploy",
        "rotate   | ROTATE | a rotation"})
    void aServiceScaledToZeroIsNotDeployedTo(String what, String kind, String refused) {
        PrepareFixture fixture = new PrepareFixture();
        fixture.services.runOnly(fixture.liveArn, 0);
        String input = switch (kind) {
            case "PUSH" -> PrepareFixture.push("v1.1.0", NEW);
            case "DEPLOY" -> "{\"action\":\"deploy\",\"service\":\"pushdeploy/web\",\"image\":\"web:v1.1.0\"}";
            default -> "{\"action\":\"rotate\",\"service\":\"pushdeploy/web\"}";
        };

        DeployRequest request = fixture.prepare(input);

        assertEquals(Decision.REJECTED, request.decision(), request.decisionReason());
        assertEquals("service: pushdeploy/web is scaled to 0 tasks (desired count 0 on web:1), so " + refused
                + " could not be proven healthy; scale it up and try again", request.decisionReason());
        assertTrue(!request.rotate() && !request.register());
    }

    @org.junit.jupiter.api.Test
    void aPushOfTheLiveImageToAServiceAtZeroTasksIsStillIgnored() {
        PrepareFixture fixture = new PrepareFixture();
        fixture.services.runOnly(fixture.liveArn, 0);
        assertEquals(Decision.IGNORED, fixture.prepare(PrepareFixture.push("v1.0.0", PrepareFixture.LIVE_DIGEST)).decision());
    }

    /** A release manifest given to the deployment workflow (its state machine or `pushdeploy run`) says where it goes. */
    @org.junit.jupiter.api.Test
    void aReleaseManifestIsSentToTheReleaseStateMachine() {
        DeployRequest request = new PrepareFixture().prepare(
                "{\"services\":[{\"service\":\"pushdeploy/web\",\"image\":\"web:v1.1.0\"}],\"reason\":\"together\"}");
        assertEquals(Decision.REJECTED, request.decision());
        assertEquals("input: is a release manifest (services): start the release state machine with it (output ReleaseStateMachineArn,"
                + " or pushdeploy release), not the deployment workflow", request.decisionReason());
    }

    @ParameterizedTest(name = "{0} → REJECTED naming {2}")
    @MethodSource("badInputs")
    void rejectsAndNamesTheField(String what, String json, String field) {
        DeployRequest request = new PrepareFixture().prepare(json);
        assertEquals(Decision.REJECTED, request.decision(), () -> what + ": " + request.decisionReason());
        assertTrue(request.decisionReason().startsWith(field + ": "), () -> what + ": reason was " + request.decisionReason());
        assertEquals("exec-1", request.requestId());
        assertTrue(request.decisionReason().codePoints().allMatch(Fields::printable), "the reason is printable");
        assertTrue(!request.rotate() && !request.register() && !request.scanGate());
    }

    static Stream<Arguments> badExecutionNames() {
        return Stream.of(Arguments.of((String) null), Arguments.of(""), Arguments.of("a:b"), Arguments.of("a/b"),
                Arguments.of("has space"), Arguments.of("x".repeat(81)), Arguments.of("tab\there"));
    }

    @ParameterizedTest(name = "execution name {0} → REJECTED")
    @MethodSource("badExecutionNames")
    void rejectsBadExecutionNames(String name) {
        DeployRequest request = new PrepareFixture().prepare(PrepareFixture.push("v1.1.0", NEW), name);
        assertEquals(Decision.REJECTED, request.decision());
        assertTrue(request.decisionReason().startsWith("executionName: "), request.decisionReason());
        assertNull(request.requestId());
    }
}
