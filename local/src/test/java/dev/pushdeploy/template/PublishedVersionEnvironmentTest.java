package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every function runs through its alias {@code live} (AutoPublishAlias), that is through a published version, and a
 * published version's configuration never changes: "After you publish a function version, its code, runtime,
 * architecture, memory, layers, and most other configuration settings are immutable" (Lambda developer guide,
 * configuration-versions). SAM publishes a new version only when the logical id of the AWS::Lambda::Version it generates
 * changes, and that id hashes the function's properties as written, {@code !Ref SomeParameter} unresolved (SAM issue
 * 1640). So a stack parameter that reaches a function's configuration (an environment variable, a timeout, the name of
 * something it reads) without changing that id would, on a stack update that changes only it, update {@code $LATEST},
 * which nothing invokes: the alias would keep running the old value.
 *
 * <p>Each of the template's parameters is changed in turn: where a function's evaluated properties change, its published
 * version must change too (aws-sam-translator run with that value). The settings the functions act on are in the
 * configuration document instead, read at run time, and the document is named after the stack.
 */
class PublishedVersionEnvironmentTest {
    /** Every function exists: a second service (the release planner), the scan gate. */
    private static final Map<String, String> BASE = Map.of("SecondServiceName", "api", "EnableScanGate", "true");

    /** A valid value other than the default, for parameters whose type and constraints give none to pick. */
    private static final Map<String, String> OTHER = new HashMap<>();

    static {
        OTHER.put("ClusterName", "prod");
        OTHER.put("AppName", "shop");
        OTHER.put("ContainerName", "main");
        OTHER.put("HealthCheckPath", "/ready");
        OTHER.put("ContainerUser", "1000:1000");
        OTHER.put("SecondServiceName", "admin");
        OTHER.put("SecondContainerName", "main");
        OTHER.put("SecondHealthCheckPath", "/ready");
        OTHER.put("SecondPathPattern", "/admin/*");
        OTHER.put("SecondHostHeader", "api.example.com");
        OTHER.put("ReleaseParameterPrefix", "/acme/releases");
        OTHER.put("TagPattern", "release-[0-9]+");
        OTHER.put("CanaryPercent", "12.5");
        OTHER.put("LinearStepPercent", "25");
        OTHER.put("SmokeCheckUrl", "https://example.com/health");
        OTHER.put("DeploymentAlarmNames", "errors,latency");
        OTHER.put("NotificationEmail", "ops@example.com");
        OTHER.put("VpcCidr", "10.20.0.0/16");
        OTHER.put("DomainName", "app.example.com");
        OTHER.put("HostedZoneId", "Z123ABC");
        OTHER.put("CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/abc-123");
        OTHER.put("WafBlockedCountries", "KP,IR");
        OTHER.put("WafCaptchaCountries", "RU");
        OTHER.put("DatabaseVpcCidr", "10.30.0.0/16");
        OTHER.put("DatabaseInstanceClass", "db.t4g.small");
        OTHER.put("DatabaseEngineVersion", "17");
        OTHER.put("DatabaseName", "shop");
        OTHER.put("DatabaseRole", "shop");
        OTHER.put("AdminHostImage", "/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64");
        OTHER.put("GitHubRepository", "acme/web");
        OTHER.put("GitHubRefPattern", "refs/heads/main");
        OTHER.put("GitHubOidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
    }

    /**
     * Known limit, stated in the README: EnableDatabase puts RotateSecretsFunction into the VPC (a VpcConfig under the
     * database's condition), which SAM's version id does not see; only a conditional resource, or a change of the code,
     * would publish a version with it.
     */
    private static final Map<String, List<String>> KNOWN_LIMIT = Map.of("EnableDatabase", List.of("RotateSecretsFunction"));

    static Stream<String> parameters() {
        List<String> names = new ArrayList<>();
        Deployments.TEMPLATE.parameters().fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("parameters")
    void aParameterThatReachesAFunctionsConfigurationPublishesANewVersion(String parameter) {
        if (Deployments.TEMPLATE.parameters().path(parameter).path("AllowedValues").size() == 1) {
            return; // one allowed value (FargatePlatformVersion): no update can change it
        }
        String value = other(parameter);
        Map<String, String> changed = new HashMap<>(BASE);
        changed.put(parameter, value);
        Deployment before = deployment(BASE);
        Deployment after = deployment(changed);
        Map<String, String> differing = new TreeMap<>();
        for (String function : Repo.FUNCTIONS.keySet()) {
            if (!before.exists(function) || !after.exists(function)) {
                continue;
            }
            JsonNode was = before.properties(function);
            JsonNode is = after.properties(function);
            if (!was.equals(is)) {
                differing.put(function, difference(was, is));
            }
        }
        if (differing.isEmpty()) {
            assertFalse(KNOWN_LIMIT.containsKey(parameter), parameter + " no longer reaches " + KNOWN_LIMIT.get(parameter)
                    + "'s configuration: take it out of KNOWN_LIMIT and the README's known limit");
            return;
        }
        CfnTemplate translatedBefore = Repo.template(BASE);
        CfnTemplate translatedAfter = Repo.template(changed);
        Map<String, String> unpublished = new TreeMap<>();
        differing.forEach((function, difference) -> {
            if (version(translatedBefore, function).equals(version(translatedAfter, function))) {
                unpublished.put(function, difference);
            }
        });
        if (KNOWN_LIMIT.containsKey(parameter)) {
            assertEquals(KNOWN_LIMIT.get(parameter), unpublished.keySet().stream().sorted().toList(),
                    parameter + "'s known limit (README) is exactly these functions: " + unpublished);
            return;
        }
        assertEquals(Map.of(), unpublished, parameter + "=" + value + " changes these functions' configuration but not their published "
                + "version: a stack update of it alone updates $LATEST, and the alias 'live' keeps running the old value");
    }

    /** The settings that were environment variables reach the functions through the document, and only through it. */
    @Test
    void theSettingsTheFunctionsActOnAreInTheConfigurationDocument() {
        Deployment stack = deployment(Map.of("RollBackStoppedRuns", "false", "ReleaseParameterPrefix", "/acme/releases"));
        String document = stack.properties("ConfigParameter").path("Value").asText();
        assertTrue(document.contains("\"rollBackStoppedRuns\": false"), document);
        assertTrue(document.contains("\"releaseParameterPrefix\": \"/acme/releases\""), document);
        assertEquals("/" + Deployments.STACK_NAME + "/config", stack.properties("ConfigParameter").path("Name").asText(),
                "named after the stack, which no update renames");
        for (String function : Repo.FUNCTIONS.keySet()) {
            if (stack.exists(function)) {
                JsonNode variables = stack.properties(function).path("Environment").path("Variables");
                variables.properties().forEach(e -> assertFalse(e.getValue().asText().contains("/acme/releases"),
                        function + "'s " + e.getKey() + " carries the release parameter prefix"));
            }
        }
    }

    private static Deployment deployment(Map<String, String> overrides) {
        return Deployments.stack(overrides, name -> Optional.of("ami-0123456789abcdef0"), Deployments.names());
    }

    /** A valid value of {@code parameter} other than its default. */
    private static String other(String parameter) {
        JsonNode definition = Deployments.TEMPLATE.parameters().path(parameter);
        String current = BASE.getOrDefault(parameter, Deployments.TEMPLATE.parameterDefault(parameter).orElse(""));
        if (OTHER.containsKey(parameter)) {
            String value = OTHER.get(parameter);
            assertNotEquals(current, value, parameter);
            return value;
        }
        for (JsonNode allowed : definition.path("AllowedValues")) {
            if (!allowed.asText().equals(current)) {
                return allowed.asText();
            }
        }
        if ("Number".equals(definition.path("Type").asText())) {
            for (String bound : List.of("MinValue", "MaxValue")) {
                if (definition.has(bound) && !definition.path(bound).asText().equals(current)) {
                    return definition.path(bound).asText();
                }
            }
        }
        throw new AssertionError("no other value known for parameter " + parameter + " (" + definition
                + "): add one to PublishedVersionEnvironmentTest.OTHER");
    }

    /** The properties that differ, as {@code name: before -> after}. */
    private static String difference(JsonNode was, JsonNode is) {
        List<String> parts = new ArrayList<>();
        is.fieldNames().forEachRemaining(name -> {
            if (!was.path(name).equals(is.path(name))) {
                parts.add(name + ": " + abbreviate(was.path(name)) + " -> " + abbreviate(is.path(name)));
            }
        });
        was.fieldNames().forEachRemaining(name -> {
            if (!is.has(name)) {
                parts.add(name + ": removed");
            }
        });
        return String.join("; ", parts);
    }

    private static String abbreviate(JsonNode node) {
        String text = node.toString();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    /** The logical id of the AWS::Lambda::Version that {@code function}'s alias points to. */
    private static String version(CfnTemplate template, String function) {
        String alias = function + "Aliaslive";
        JsonNode version = template.properties(alias).path("FunctionVersion");
        String id = version.path("Fn::GetAtt").path(0).asText(null);
        if (id == null) {
            throw new IllegalStateException(alias + " names no generated version: " + version);
        }
        return id;
    }
}
