package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.error.ConfigurationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Audit (parameters): values and combinations that template.yaml's AllowedPattern / AllowedValues / MinValue / MaxValue /
 * MaxLength and its Rules all accept, but that AWS refuses when CloudFormation creates the resource (a rollback many
 * minutes in), or that create fine and then break the service or the pipeline (the configuration document the functions
 * refuse to read, a rolling deployment that cannot move). Each case feeds the values through the same checks as
 * {@link TrafficPercentParametersTest} and {@link TemplateOptionsIT} (CfnTemplate.parameterValues, then the template's
 * Rules through {@link Variant#ruleViolations()}) and asserts that the template refuses them up front; every assertion
 * fails today and says what AWS (or the pipeline) does instead.
 */
class ParameterAcceptanceAuditTest {
    private static final String ZONE = "Z0123456789ABCDEFGHIJ";

    /** Why the template refuses these values (a parameter constraint or a Rule), or an empty list if it accepts them. */
    private static List<String> refusals(Map<String, String> overrides) {
        try {
            return Variant.of(overrides).ruleViolations();
        } catch (IllegalArgumentException refused) {
            return List.of(refused.getMessage());
        }
    }

    private static void assertRefused(Map<String, String> overrides, String what) {
        assertTrue(!refusals(overrides).isEmpty(), overrides + " passes the template's parameter constraints and Rules, but " + what);
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

    // ------------------------------------------------------------------ 1. Fargate CPU / memory

    /**
     * Every TaskCpu/TaskMemory pair both AllowedValues lists accept but Fargate does not run: 19 of the 35. No Rule ties
     * the two (the Description only says "must be valid for TaskCpu"). TaskDefinition (and SecondTaskDefinition) fail
     * at creation, after the VPC, endpoints, roles, functions and nested stacks.
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
        assertRefused(overrides, "TaskDefinition is registered with Cpu " + Variant.of(overrides).properties("TaskDefinition").path("Cpu").asText()
                + " and Memory " + Variant.of(overrides).properties("TaskDefinition").path("Memory").asText()
                + ", which ECS refuses: 'ClientException ... RegisterTaskDefinition operation: Invalid 'cpu' setting for task' - for"
                + " FARGATE 'you must use one of the values in the following table' (256: 512, 1024, 2048; 512: 1024-4096; 1024:"
                + " 2048-8192; 2048: 4096-16384; 4096: 8192-30720) - docs.aws.amazon.com/AmazonECS/latest/userguide/task-cpu-memory-error.html");
    }

    // ------------------------------------------------------------------ 2. Fargate platform version

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "FargatePlatformVersion=1.5.0; no such Linux platform version: the LATEST (and newest) Linux platform version is 1.4.0",
            "FargatePlatformVersion=2.0.0; no such Linux platform version: the LATEST (and newest) Linux platform version is 1.4.0",
            "FargatePlatformVersion=1.3.0,EnableExecuteCommand=true; ECS Exec: 'If you're using AWS Fargate, you must use platform"
                    + " version 1.4.0 or higher (Linux)' (docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec-run.html)",
            "FargatePlatformVersion=1.3.0; 'We are ending support for PV 1.3.0 in Fargate on June 30, 2026. Starting June 15, 2026 ... you"
                    + " will not be able to launch new tasks or create new services configured with platform version 1.3.0'"
                    + " (docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-versions-retired.html)",
    })
    void aPlatformVersionTheServiceCannotUseIsRefused(String assignments, String aws) {
        Map<String, String> overrides = new HashMap<>();
        for (String assignment : assignments.split(",")) {
            String[] kv = assignment.split("=");
            overrides.put(kv[0], kv[1]);
        }
        assertRefused(overrides, "Service is created with PlatformVersion "
                + Variant.of(overrides).properties("Service").path("PlatformVersion").asText() + ": " + aws
                + " (docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html). The pattern [0-9]+[.][0-9]+[.][0-9]+"
                + " takes any x.y.z; Service is the last resource created, so the whole stack rolls back");
    }

    // ------------------------------------------------------------------ 3. names ECS refuses

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"AppName, web.app", "AppName, shop_front.v2", "SecondServiceName, api.v2"})
    void aServiceNameWithADotIsRefused(String parameter, String name) {
        Map<String, String> overrides = Map.of(parameter, name);
        String family = parameter.equals("AppName") ? "TaskDefinition" : "SecondTaskDefinition";
        assertRefused(overrides, "the name becomes the task definition family '" + Variant.of(overrides).properties(family).path("Family").asText()
                + "' and the ECS service name: ECS 'family ... Up to 255 characters are allowed. Letters (both uppercase and lowercase"
                + " letters), numbers, hyphens (-), and underscores (_) are allowed' (ECS API reference, RegisterTaskDefinition/TaskDefinition"
                + " family; CreateService serviceName likewise), no dots - the ECR repository pattern (?:[._-]) the parameter copies"
                + " allows them. The task definition fails at creation; the pipeline's own ConfigParser refuses the service name too: "
                + configRefusal(overrides));
    }

    // ------------------------------------------------------------------ 4. a rolling deployment that cannot move

    /**
     * ECS rounds minimumHealthyPercent up and maximumPercent down ("if the minimum healthy percent is 75% and the desired
     * task count is two, then the scheduler can't stop any tasks due to the resulting value also being two"): with these
     * values it may neither start a new task (the maximum is the desired count) nor stop an old one (the minimum is the
     * desired count). The stack creates (the desired count is 0 before the first release) and the first release runs; every
     * later release of the second service waits, with no failed task to trip the circuit breaker, until
     * ReleaseTimeoutSeconds (15 hours by default).
     */
    @ParameterizedTest(name = "desired {0}, min {1} %, max {2} %")
    @CsvSource({"1, 100, 150", "1, 50, 199", "2, 75, 100", "3, 100, 100", "4, 100, 120"})
    void aSecondServiceRollingConfigurationThatCannotReplaceATaskIsRefused(String desired, String min, String max) {
        Map<String, String> overrides = Map.of("SecondServiceName", "api", "SecondDesiredCount", desired,
                "SecondMinimumHealthyPercent", min, "SecondMaximumPercent", max);
        int d = Integer.parseInt(desired);
        int most = d * Integer.parseInt(max) / 100;
        int least = (d * Integer.parseInt(min) + 99) / 100;
        assertRefused(overrides, "with " + d + " desired tasks ECS may run at most " + most + " (maximumPercent, 'rounded down') and must"
                + " keep " + least + " running (minimumHealthyPercent, 'rounded up'): it can neither start a new task nor stop an old one,"
                + " so every rollout of SecondService after the first stalls (docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                + "deployment-type-ecs.html; DeploymentConfiguration in the ECS API reference)");
    }

    // ------------------------------------------------------------------ 5. database names the pipeline refuses

    @Test
    void aDatabaseNameLongerThanThePipelineReadsIsRefused() {
        String name = "app_" + "x".repeat(58);
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseName", name);
        assertRefused(overrides, "DatabaseName '" + name + "' (" + name.length() + " characters) is a valid RDS for PostgreSQL DBName"
                + " ('Must contain 1 to 63 letters, numbers, or underscores', CreateDBInstance), so the stack creates - and then the"
                + " configuration document it writes is one every pipeline function refuses to read: " + configRefusal(overrides)
                + ". The template's pattern [a-z][a-z0-9_]{0,62} takes 63 characters, ConfigParser's ROLE takes 61");
    }

    @Test
    void aDatabaseRoleInPostgresReservedNamespaceIsRefused() {
        Map<String, String> overrides = Map.of("EnableDatabase", "true", "DatabaseRole", "pg_app");
        assertRefused(overrides, "the pipeline's first rotation runs CREATE ROLE pg_app_a, which PostgreSQL refuses: 'ERROR: role name"
                + " \"pg_app_a\" is reserved DETAIL: Role names starting with \"pg_\" are reserved.' (PostgreSQL 9.6 and later; RDS runs"
                + " PostgreSQL). The stack creates and ConfigParser reads the document ("
                + (configRefusal(overrides) == null ? "it passes [a-z_][a-z0-9_]{0,60}" : configRefusal(overrides))
                + "); the first release then fails in RotateSecrets");
    }

    // ------------------------------------------------------------------ 6. ACM's 64-octet common name

    @Test
    void aDomainNameTooLongForTheCertificatesCommonNameIsRefused() {
        String domain = "storefront-" + "x".repeat(45) + ".example.com";
        Map<String, String> overrides = Map.of("DomainName", domain, "HostedZoneId", ZONE);
        assertRefused(overrides, "with no CertificateArn the stack requests Certificate for '"
                + Variant.of(overrides).properties("Certificate").path("DomainName").asText() + "' (" + domain.length()
                + " characters); ACM RequestCertificate: 'In compliance with RFC 5280, the length of the domain name (technically, the"
                + " Common Name) that you provide cannot exceed 64 octets (characters), including periods. To add a longer domain name,"
                + " specify it in the Subject Alternative Name field' (docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html)."
                + " DomainName takes up to 253 characters");
    }

    // ------------------------------------------------------------------ 7. Parameter Store's fifteen levels

    @Test
    void aReleaseParameterPrefixTooDeepForParameterStoreIsRefused() {
        String prefix = "/org/unit/team/product/env/region/cell/stage/ring/wave/release/slots";
        Map<String, String> overrides = Map.of("ReleaseParameterPrefix", prefix);
        String longest = Variant.of(overrides).properties("InitialReleaseParameters").path("Names").get(1).asText();
        assertRefused(overrides, "InitialReleaseParameters creates '" + longest + "', " + (longest.split("/").length - 1)
                + " levels deep; PutParameter: 'Parameter hierarchies are limited to a maximum depth of fifteen levels' (SSM API"
                + " reference, PutParameter Name), and ReleaseParameterSeed refuses it before calling ('not a parameter name'), so the"
                + " custom resource fails and the stack rolls back. The prefix's pattern (/[A-Za-z0-9_.-]+)+ has no depth or length"
                + " bound; it leaves 11 levels for the 4 the stack appends");
    }

    // ------------------------------------------------------------------ 8. settings the pipeline cannot read

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "DeploymentStrategy=CANARY,CanaryBakeMinutes=55,ShiftBakeMinutes=55",
            "DeploymentStrategy=LINEAR,LinearStepPercent=3,LinearStepBakeMinutes=2",
            "DeploymentStrategy=CANARY,CanaryBakeMinutes=30,ShiftBakeMinutes=26",
            "TagPattern=v[0-9+",
            "DeploymentAlarmNames=a1,a2,a3,a4,a5,a6,a7,a8,a9",
    })
    void aSettingEveryPipelineFunctionRefusesToReadIsRefused(String assignments) {
        Map<String, String> overrides = new HashMap<>();
        List<String> list = new ArrayList<>();
        for (String assignment : assignments.split(",")) {
            if (assignment.contains("=")) {
                String[] kv = assignment.split("=", 2);
                overrides.put(kv[0], kv[1]);
                list.clear();
                list.add(kv[1]);
            } else {
                list.add(assignment);
            }
            if (overrides.containsKey("DeploymentAlarmNames")) {
                overrides.put("DeploymentAlarmNames", String.join(",", list));
            }
        }
        assertRefused(overrides, "the stack creates and writes a configuration document that every pipeline function refuses to"
                + " read (ConfigParser, 'validated by the functions when they read it'), so every push after it fails: "
                + configRefusal(overrides));
    }

    /** A sanity check of the helpers: the defaults pass everything. */
    @Test
    void theDefaultsPass() {
        assertTrue(refusals(Map.of()).isEmpty());
        assertTrue(configRefusal(Map.of()) == null);
        assertTrue(configRefusal(with(Map.of(), "SecondServiceName", "api")) == null);
    }
}
