package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.local.template.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The configuration document the template builds from its parameters (SSM parameter
 * ConfigParameter) is what ConfigParser accepts, for the defaults and with every optional part
 * switched on, and its names agree with the rest of the stack.
 */
class ConfigDocumentTest {

    private static PipelineConfig config(Deployment stack) {
        String document = stack.properties("ConfigParameter").path("Value").asText();
        return ConfigParser.parse(document);
    }

    @Test
    void defaultsDescribeTheServiceWithOneRandomSecret() {
        Deployment stack = Deployments.withRelease(Map.of(), "none");
        PipelineConfig config = config(stack);

        assertEquals(Deployments.KEY_ARN, config.kmsKeyId());
        assertEquals(1, config.targets().size());
        Target target = config.targets().get(0);
        assertEquals("web", target.repository());
        assertEquals("pushdeploy", target.cluster());
        assertEquals("web", target.service());
        assertEquals("app", target.container());
        assertTrue(target.tagPattern().matcher("v1.2.3").matches());
        assertFalse(target.tagPattern().matcher("latest").matches());
        assertEquals(1, target.secrets().size());
        SecretSpec key = target.secrets().get(0);
        assertEquals("APP_SIGNING_KEY", key.name());
        assertEquals(SecretSpec.Kind.RANDOM, key.kind());
        assertEquals("/pushdeploy/web/app-signing-key", key.parameter());
        assertNull(target.scanSeverity());
        assertNull(target.health().smokeUrl());
        assertEquals(900, target.health().deadlineSeconds());
        assertEquals(10, target.keepRevisions());
        assertEquals("/pushdeploy/config", stack.properties("ConfigParameter").path("Name").asText());
    }

    @Test
    void optionalPartsAppearWhenEnabled() {
        Deployment stack = Deployments.withRelease(Map.of(
                "EnableDatabase", "true", "EnableScanGate", "true", "ScanGateSeverity", "CRITICAL",
                "SmokeCheckUrl", "https://www.example.com/health", "TagPattern", "release-[0-9]+",
                "KeepRevisions", "5", "BakeSeconds", "30", "DeploymentDeadlineSeconds", "600"), "none");
        Target target = config(stack).targets().get(0);

        assertEquals("CRITICAL", target.scanSeverity());
        assertEquals("https://www.example.com/health", target.health().smokeUrl());
        assertEquals(30, target.health().bakeSeconds());
        assertEquals(600, target.health().deadlineSeconds());
        assertEquals(5, target.keepRevisions());
        assertTrue(target.tagPattern().matcher("release-42").matches());
        assertEquals(2, target.secrets().size());
        SecretSpec password = target.secrets().get(1);
        assertEquals("DB_PASSWORD", password.name());
        assertEquals(SecretSpec.Kind.POSTGRES, password.kind());
        assertEquals("/pushdeploy/web/db-password", password.parameter());
        SecretSpec.Postgres db = password.postgres();
        assertEquals(Deployments.DATABASE_HOST, db.host());
        assertEquals(5432, db.port());
        assertEquals("app", db.database());
        assertEquals("app", db.role());
        assertEquals("DB_USER", db.usernameEnv());
        String secretName = stack.properties("DatabaseMasterSecret").path("Name").asText();
        assertEquals("/aws/reference/secretsmanager/" + secretName, db.masterParameter());
    }

    @Test
    void theSecretSlotsAreWhereTheTasksAndTheRotationMayReadThem() {
        Deployment stack = Deployments.withRelease(Map.of("EnableDatabase", "true"), "none");
        String readable = stack.properties("TaskExecutionRole").path("Policies").get(0).path("PolicyDocument")
                .path("Statement").findValues("Resource").stream().flatMap(ConfigDocumentTest::texts)
                .filter(r -> r.contains(":parameter/")).findFirst().orElseThrow();
        String writable = stack.properties("RotateSecretsFunctionRole").path("Policies").get(0).path("PolicyDocument")
                .path("Statement").findValues("Resource").stream().flatMap(ConfigDocumentTest::texts)
                .filter(r -> r.contains(":parameter/pushdeploy/")).findFirst().orElseThrow();
        for (SecretSpec secret : config(stack).targets().get(0).secrets()) {
            for (String slot : new String[] {"a", "b"}) {
                String arn = "arn:aws:ssm:us-east-1:123456789012:parameter" + secret.slotParameter(slot);
                assertTrue(Iam.matches(readable, arn), arn + " readable by the task execution role (" + readable + ")");
                assertTrue(Iam.matches(writable, arn), arn + " writable by the rotation (" + writable + ")");
            }
        }
    }

    /** A Resource element's ARNs (one, or a list). */
    private static java.util.stream.Stream<String> texts(com.fasterxml.jackson.databind.JsonNode resource) {
        return resource.isArray() ? java.util.stream.StreamSupport.stream(resource.spliterator(), false).map(r -> r.asText())
                : java.util.stream.Stream.of(resource.asText());
    }

    /** The stack refuses a smoke URL the pipeline would refuse at every run, and the pipeline takes what the stack takes. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "https://www.example.com/health   | taken",
            "http://10.0.0.1:8080/h?probe=1   | taken",
            "https://www.example.com/a@b      | taken",
            "https://ops:s3cret@example.com/h | refused",
            "http:///health                   | refused",
            "LONG                             | refused",
    })
    void theStackTakesTheSmokeUrlsThePipelineTakes(String url, String verdict) {
        String value = url.equals("LONG") ? "https://www.example.com/" + "a".repeat(2048) : url;
        Deployment stack;
        try {
            stack = Deployments.withRelease(Map.of("SmokeCheckUrl", value), "none");
        } catch (IllegalArgumentException refused) {
            assertEquals("refused", verdict, refused.getMessage());
            assertTrue(refused.getMessage().startsWith("parameter SmokeCheckUrl"), refused.getMessage());
            return;
        }
        assertEquals("taken", verdict, "the stack took " + value);
        assertEquals(value, config(stack).targets().get(0).health().smokeUrl());
    }
}
