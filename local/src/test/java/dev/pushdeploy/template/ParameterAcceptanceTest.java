package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parameter values and combinations AWS refuses when CloudFormation creates the resource (a rollback many minutes in), or
 * that create fine and then break the pipeline (a configuration document the functions refuse to read, a role PostgreSQL
 * refuses to create), are refused by template.yaml's AllowedPattern / AllowedValues / MaxLength and its Rules, before
 * anything changes; the values next to them stay accepted. Each case feeds the values through the same checks as
 * {@link TrafficPercentParametersTest} and {@link TemplateOptionsIT} (CfnTemplate.parameterValues, then the template's
 * Rules through {@link Variant#ruleViolations()}).
 */
class ParameterAcceptanceTest {
    /** Why the template refuses these values (a parameter constraint or a Rule), or an empty list if it accepts them. */
    private static List<String> refusals(Map<String, String> overrides) {
        try {
            return Variant.of(overrides).ruleViolations();
        } catch (IllegalArgumentException refused) {
            return List.of(refused.getMessage());
        }
    }

    /** {@code what} is built only when the values pass (it may evaluate the template with them). */
    private static void assertRefused(Map<String, String> overrides, Supplier<String> what) {
        assertTrue(!refusals(overrides).isEmpty(), () -> overrides + " passes the template's parameter constraints and Rules, but " + what.get());
    }

    private static void assertAccepted(Map<String, String> overrides) {
        assertEquals(List.of(), refusals(overrides), overrides + " is valid");
    }

    /** What the pipeline's ConfigParser says of the configuration document the stack writes for these values (null: it reads it). */
    private static String configRefusal(Map<String, String> overrides) {
        String document = Deployments.withRelease(overrides, "none").properties("ConfigParameter").path("Value").asText();
        try {
            ConfigParser.parse(document);
            return null;
        } catch (ConfigurationException e) {
            return e.getMessage();
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... more) {
        Map<String, String> all = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    // ------------------------------------------------------------------ Fargate CPU / memory

    /**
     * Every TaskCpu/TaskMemory pair both AllowedValues lists accept but Fargate does not run: 19 of the 35 (rule
     * FargateTaskSize). TaskDefinition and SecondTaskDefinition (the same parameters) would fail at creation, after the VPC,
     * endpoints, roles, functions and nested stacks.
     */
    @ParameterizedTest(name = "TaskCpu={0} TaskMemory={1}")
    @CsvSource({
            "256, 3072", "256, 4096", "256, 8192", "256, 16384",
            "512, 512", "512, 8192", "512, 16384",
            "1024, 512", "1024, 1024", "1024, 16384",
            "2048, 512", "2048, 1024", "2048, 2048", "2048, 3072",
            "4096, 512", "4096, 1024", "4096, 2048", "4096, 3072", "4096, 4096",
    })
    void aCpuMemoryPairFargateDoesNotRunIsRefused(String cpu, String memory) {
        Map<String, String> overrides = Map.of("TaskCpu", cpu, "TaskMemory", memory);
        assertRefused(overrides, () -> "TaskDefinition is registered with Cpu " + Variant.of(overrides).properties("TaskDefinition").path("Cpu").asText()
                + " and Memory " + Variant.of(overrides).properties("TaskDefinition").path("Memory").asText()
                + ", which ECS refuses: 'ClientException ... RegisterTaskDefinition operation: Invalid 'cpu' setting for task' - for"
                + " FARGATE 'you must use one of the values in the following table' (256: 512, 1024, 2048; 512: 1024-4096; 1024:"
                + " 2048-8192; 2048: 4096-16384; 4096: 8192-30720) - docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html");
    }

    /** The other 16, each a size of the table that the parameters allow, still pass, with a second service too. */
    @ParameterizedTest(name = "TaskCpu={0} TaskMemory={1}")
    @CsvSource({
            "256, 512", "256, 1024", "256, 2048",
            "512, 1024", "512, 2048", "512, 3072", "512, 4096",
            "1024, 2048", "1024, 3072", "1024, 4096", "1024, 8192",
            "2048, 4096", "2048, 8192", "2048, 16384",
            "4096, 8192", "4096, 16384",
    })
    void aCpuMemoryPairFargateRunsIsAccepted(String cpu, String memory) {
        assertAccepted(Map.of("TaskCpu", cpu, "TaskMemory", memory));
        assertAccepted(Map.of("TaskCpu", cpu, "TaskMemory", memory, "SecondServiceName", "api"));
    }

    // ------------------------------------------------------------------ Fargate platform version

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "FargatePlatformVersion=1.5.0; no such Linux platform version: the LATEST (and newest) Linux platform version is 1.4.0",
            "FargatePlatformVersion=2.0.0; no such Linux platform version: the LATEST (and newest) Linux platform version is 1.4.0",
            "FargatePlatformVersion=1.3.0,EnableExecuteCommand=true; ECS Exec: 'If you're using AWS Fargate, you must use platform"
                    + " version 1.4.0 or higher (Linux)' (docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec-run.html)",
            "FargatePlatformVersion=1.3.0; 'We are ending support for PV 1.3.0 in Fargate on June 30, 2026. Starting June 15, 2026 ... you"
                    + " will not be able to launch new tasks or create new services configured with platform version 1.3.0'"
                    + " (docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-versions-retired.html)",
            "FargatePlatformVersion=LATEST; LATEST would move the service to a new platform version under a running service",
    })
    void aPlatformVersionTheServiceCannotUseIsRefused(String assignments, String aws) {
        Map<String, String> overrides = new HashMap<>();
        for (String assignment : assignments.split(",")) {
            String[] kv = assignment.split("=");
            overrides.put(kv[0], kv[1]);
        }
        assertRefused(overrides, () -> "Service is created with PlatformVersion "
                + Variant.of(overrides).properties("Service").path("PlatformVersion").asText() + ": " + aws
                + " (docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html); Service is the last resource"
                + " created, so the whole stack rolls back");
    }

    // ------------------------------------------------------------------ names of a service, its task family and its repository

    /**
     * AppName and SecondServiceName each name an ECR repository, an ECS service and a task definition family: ECS takes
     * "letters (both uppercase and lowercase letters), numbers, hyphens (-), and underscores (_)" (RegisterTaskDefinition
     * family, CreateService serviceName), ECR lowercase components joined by '.', '_' or '-'. A dot passed the ECR-shaped
     * pattern; the task definition failed at creation and ConfigParser refused the service name.
     */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"AppName, web.app", "AppName, shop_front.v2", "SecondServiceName, api.v2", "AppName, Web", "SecondServiceName, API",
            "AppName, web-", "AppName, _web", "AppName, web__app"})
    void aServiceNameECSOrECRRefusesIsRefused(String parameter, String name) {
        Map<String, String> overrides = Map.of(parameter, name);
        String family = parameter.equals("AppName") ? "TaskDefinition" : "SecondTaskDefinition";
        assertRefused(overrides, () -> "the name becomes the task definition family '" + Variant.of(overrides).properties(family).path("Family").asText()
                + "', the ECS service name and the ECR repository name: ECS allows letters, numbers, hyphens and underscores; ECR"
                + " lowercase letters and digits, each '.', '_' or '-' between two of them. ConfigParser: " + configRefusal(overrides));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"AppName, web", "AppName, shop-front_v2", "AppName, 2048", "SecondServiceName, api_v2", "SecondServiceName, back-end"})
    void aServiceNameECSAndECRTakeIsAccepted(String parameter, String name) {
        Map<String, String> overrides = Map.of(parameter, name);
        assertAccepted(overrides);
        assertNull(configRefusal(overrides), "the pipeline reads the document");
    }

    // ------------------------------------------------------------------ the database and its role

    @Test
    void aDatabaseNameLongerThanThePipelineReadsIsRefused() {
        String name = "app_" + "x".repeat(58);
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseName", name);
        assertRefused(overrides, () -> "DatabaseName '" + name + "' (" + name.length() + " characters) is a valid RDS for PostgreSQL DBName"
                + " ('Must contain 1 to 63 letters, numbers, or underscores', CreateDBInstance), so the stack creates - and then the"
                + " configuration document it writes is one every pipeline function refuses to read: " + configRefusal(overrides));
    }

    @Test
    void theLongestDatabaseNameThePipelineReadsIsAccepted() {
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseName", "app_" + "x".repeat(57));
        assertAccepted(overrides);
        assertNull(configRefusal(overrides), "the pipeline reads the document");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pg_app", "pg_", "pg_x_y"})
    void aDatabaseRoleInPostgresReservedNamespaceIsRefused(String role) {
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseRole", role);
        assertRefused(overrides, () -> "the pipeline's first rotation runs CREATE ROLE " + role + "_a, which PostgreSQL refuses: 'ERROR: role"
                + " name \"" + role + "_a\" is reserved DETAIL: Role names starting with \"pg_\" are reserved.' (PostgreSQL 9.6 and later;"
                + " RDS runs PostgreSQL). ConfigParser: " + configRefusal(overrides));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"app", "p", "pg", "pgapp", "page", "p_g", "app_pg_", "pxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void aDatabaseRoleOutsideTheReservedNamespaceIsAccepted(String role) {
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseRole", role);
        assertAccepted(overrides);
        assertNull(configRefusal(overrides), "the pipeline reads the document");
    }

    // ------------------------------------------------------------------ Parameter Store's fifteen levels

    @Test
    void aReleaseParameterPrefixTooDeepForParameterStoreIsRefused() {
        String prefix = "/org/unit/team/product/env/region/cell/stage/ring/wave/release/slots";
        Map<String, String> overrides = Map.of("ReleaseParameterPrefix", prefix);
        assertRefused(overrides, () -> {
            String longest = Variant.of(overrides).properties("InitialReleaseParameters").path("Names").get(1).asText();
            return "InitialReleaseParameters creates '" + longest + "', " + (longest.split("/").length - 1)
                    + " levels deep; PutParameter: 'Parameter hierarchies are limited to a maximum depth of fifteen levels' (SSM API"
                    + " reference, PutParameter Name), and ReleaseParameterSeed refuses it before calling ('not a parameter name'), so"
                    + " the custom resource fails and the stack rolls back. The stack appends 4 levels, leaving 11 to the prefix";
        });
    }

    @Test
    void aReleaseParameterPrefixTooLongForParameterStoreIsRefused() {
        String prefix = "/" + "x".repeat(800);
        assertRefused(Map.of("ReleaseParameterPrefix", prefix), () -> "a name under it, with the ARN before it that Parameter Store"
                + " counts, is longer than 1011 characters (PutParameter Name)");
    }

    @Test
    void theDeepestAndLongestReleaseParameterPrefixIsAccepted() {
        String deepest = "/org/unit/team/product/env/region/cell/stage/ring/wave/release";
        assertAccepted(Map.of("ReleaseParameterPrefix", deepest));
        assertAccepted(Map.of("ReleaseParameterPrefix", "/" + "x".repeat(793), "ClusterName", "c".repeat(64), "AppName", "a".repeat(64)));
        String name = Variant.of(Map.of("ReleaseParameterPrefix", deepest, "SecondServiceName", "api"))
                .properties("InitialReleaseParameters").path("Names").get(1).asText();
        assertEquals(15, name.split("/").length - 1, name);
        assertNull(configRefusal(Map.of("ReleaseParameterPrefix", deepest)), "the pipeline reads the document");
    }

    // ------------------------------------------------------------------ the load balancer's paths and host names

    /**
     * CreateTargetGroup takes a HealthCheckPath of 1 to 1024 characters (AWS::ElasticLoadBalancingV2::TargetGroup,
     * "Maximum: 1024"); both services' target groups (and the NLB's, the alternate one) are created with it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"HealthCheckPath, TargetGroup", "SecondHealthCheckPath, SecondTargetGroup"})
    void aHealthCheckPathLongerThanTheTargetGroupTakesIsRefused(String parameter, String targetGroup) {
        Map<String, String> overrides = Map.of(parameter, "/" + "h".repeat(1024), "SecondServiceName", "api");
        assertRefused(overrides, () -> targetGroup + " is created with a HealthCheckPath of "
                + Variant.of(overrides).properties(targetGroup).path("HealthCheckPath").asText().length() + " characters;"
                + " CreateTargetGroup takes 1 to 1024 (AWS::ElasticLoadBalancingV2::TargetGroup HealthCheckPath, Maximum: 1024)");
    }

    @Test
    void theLongestHealthCheckPathIsAccepted() {
        String path = "/" + "h".repeat(1023);
        assertAccepted(Map.of("HealthCheckPath", path, "SecondHealthCheckPath", path, "SecondServiceName", "api"));
        for (Map<String, String> ingress : List.of(Map.of("DeploymentStrategy", "BLUE_GREEN"), Map.of("Ingress", "private-api"),
                Map.of("Ingress", "private-api", "DomainName", "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + ".example",
                        "HostedZoneId", "Z123ABC", "CertificateArn", "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"))) {
            Map<String, String> overrides = with(ingress, "HealthCheckPath", path);
            assertAccepted(overrides);
            assertNull(configRefusal(overrides), "the pipeline reads the document (its test or smoke URL ends with the path)");
        }
    }

    /**
     * The second service's listener rule: each path-pattern value and each host-header value takes at most 128
     * characters, and a host name "must include at least one '.' character" and "only alphabetical characters after the
     * final '.'" (ELB API reference, PathPatternConditionConfig, HostHeaderConditionConfig). SecondListenerRule is
     * created late, with the second service.
     */
    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("listenerRuleValuesELBRefuses")
    void aListenerRuleValueELBRefusesIsRefused(String parameter, String value) {
        Map<String, String> overrides = Map.of("SecondServiceName", "api", parameter, value);
        assertRefused(overrides, () -> "SecondListenerRule is created with the condition "
                + Variant.of(overrides).properties("SecondListenerRule").path("Conditions") + " (" + value.length() + " characters):"
                + " ELB takes path patterns and host names of at most 128 characters, a host name with a '.' and only letters after"
                + " the last one (docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html)");
    }

    static Stream<Arguments> listenerRuleValuesELBRefuses() {
        return Stream.of(
                Arguments.of("SecondPathPattern", "/" + "p".repeat(128)),
                Arguments.of("SecondHostHeader", "a".repeat(60) + "." + "b".repeat(60) + ".example"),
                Arguments.of("SecondHostHeader", "localhost"),
                Arguments.of("SecondHostHeader", "api.example.123"),
                Arguments.of("SecondHostHeader", "api.example.c0m"),
                Arguments.of("SecondHostHeader", "api.example.*"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("listenerRuleValuesELBTakes")
    void aListenerRuleValueELBTakesIsAccepted(String parameter, String value) {
        assertAccepted(Map.of("SecondServiceName", "api", parameter, value));
    }

    static Stream<Arguments> listenerRuleValuesELBTakes() {
        return Stream.of(
                Arguments.of("SecondPathPattern", "/v?/" + "a".repeat(122) + "/*"),
                Arguments.of("SecondPathPattern", "/*"),
                Arguments.of("SecondHostHeader", "*." + "a".repeat(60) + "." + "b".repeat(57) + ".example"),
                Arguments.of("SecondHostHeader", "api-?.example.com"),
                Arguments.of("SecondHostHeader", "*.example.com"),
                Arguments.of("SecondHostHeader", "a.io"));
    }

    // ------------------------------------------------------------------ names the stack builds from its own name

    /**
     * CloudFormation takes stack names of up to 128 characters; the web ACL's Name and its MetricName take 1 to 128
     * (AWS::WAFv2::WebACL Name, Pattern ^[\w\-]+$; VisibilityConfig MetricName). Both exist whenever a WAF rule is on.
     */
    @ParameterizedTest(name = "Ingress={0}")
    @CsvSource({"public-alb", "private-api"})
    void theWebAclsNamesFitTheLongestStackName(String ingress) {
        String stackName = "p" + "x".repeat(127);
        Deployment stack = new Deployment(Deployments.TEMPLATE, Deployments.TEMPLATE.parameterValues(
                Map.of("Ingress", ingress, "WafRateLimit", "100", "WafBlockedCountries", "KP"), name -> Optional.of("none")),
                stackName, Emulator.REGION, Emulator.ACCOUNT, Deployments.names(), name -> Optional.of("none"));
        JsonNode acl = stack.properties("WebAcl");
        if (acl.has("Name")) {
            String name = acl.path("Name").asText();
            assertTrue(name.matches("[\\w-]{1,128}"), "WebAcl is created with the Name '" + name + "' (" + name.length()
                    + " characters) in a stack named with " + stackName.length() + ": CreateWebACL takes 1 to 128 of [\\w-]"
                    + " (AWS::WAFv2::WebACL Name)");
        }
        List<String> metrics = new java.util.ArrayList<>(List.of(acl.path("VisibilityConfig").path("MetricName").asText()));
        acl.path("Rules").forEach(rule -> metrics.add(rule.path("VisibilityConfig").path("MetricName").asText()));
        for (String metric : metrics) {
            assertTrue(metric.matches("[\\w#:.\\-/]{1,128}"), "WebAcl's MetricName '" + metric + "' (" + metric.length()
                    + " characters): CreateWebACL takes 1 to 128 of [\\w#:.-/] (AWS::WAFv2::WebACL VisibilityConfig MetricName)");
        }
    }

    // ------------------------------------------------------------------ Parameter Store's reserved prefixes

    /**
     * Parameter Store refuses a parameter name "prefixed with "aws" or "ssm" (case-insensitive)", the leading '/' aside
     * ("/aws/testparam1" fails; Systems Manager user guide, sysman-parameter-name-constraints). ReleaseParameterPrefix
     * begins every release parameter name, ClusterName every secret slot's (/ClusterName/AppName/app-signing-key/a).
     */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"ReleaseParameterPrefix, /aws/release", "ReleaseParameterPrefix, /AWS-releases", "ReleaseParameterPrefix, /ssm/pushdeploy",
            "ReleaseParameterPrefix, /SsmReleases", "ClusterName, aws", "ClusterName, AWS-prod", "ClusterName, ssm", "ClusterName, Ssm_cluster"})
    void aParameterNameParameterStoreReservesIsRefused(String parameter, String value) {
        Map<String, String> overrides = Map.of(parameter, value);
        assertRefused(overrides, () -> "InitialReleaseParameters creates " + Variant.of(overrides).properties("InitialReleaseParameters")
                .path("Names").get(0) + " and the pipeline writes " + Variant.of(overrides).properties("Release").path("Parameters")
                .path("FirstSigningKeySlot") + ": PutParameter refuses names prefixed with aws or ssm (case-insensitive) - the custom"
                + " resource fails and the stack rolls back, or the first rotation fails. ConfigParser: " + configRefusal(overrides));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"ReleaseParameterPrefix, /a", "ReleaseParameterPrefix, /aw", "ReleaseParameterPrefix, /awx/release",
            "ReleaseParameterPrefix, /s", "ReleaseParameterPrefix, /ss", "ReleaseParameterPrefix, /sms/release",
            "ReleaseParameterPrefix, /release/aws/ssm", "ReleaseParameterPrefix, /x-aws", "ClusterName, a", "ClusterName, aw",
            "ClusterName, awx", "ClusterName, s", "ClusterName, ss", "ClusterName, sm-prod", "ClusterName, prod-ssm", "ClusterName, _aws"})
    void aParameterNameParameterStoreTakesIsAccepted(String parameter, String value) {
        Map<String, String> overrides = Map.of(parameter, value);
        assertAccepted(overrides);
        assertNull(configRefusal(overrides), "the pipeline reads the document");
    }

    /** The defaults pass everything. */
    @Test
    void theDefaultsPass() {
        assertTrue(refusals(Map.of()).isEmpty());
        assertNull(configRefusal(Map.of()));
        assertNull(configRefusal(with(Map.of(), "SecondServiceName", "api")));
    }
}
