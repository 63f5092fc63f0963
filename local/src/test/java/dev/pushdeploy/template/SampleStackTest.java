package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.SampleStack;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The tests' sample stack ({@link SampleStack}, which the functions tests use and {@code World}
 * creates in the emulator) is template.yaml with its defaults, after a first release: every value
 * the template defines is the template's, so the fixture cannot drift from it.
 */
class SampleStackTest {
    static final Deployment STACK = Deployments.withRelease(Map.of(), "release");

    @Test
    void theNamesAreTheTemplatesDefaults() {
        assertEquals(SampleStack.CLUSTER, STACK.properties("Cluster").path("ClusterName").asText());
        assertEquals(SampleStack.SERVICE, STACK.properties("Service").path("ServiceName").asText());
        assertEquals(SampleStack.SERVICE, STACK.properties("TaskDefinition").path("Family").asText());
        assertEquals(SampleStack.REPOSITORY, STACK.properties("Repository").path("RepositoryName").asText());
        assertEquals(SampleStack.CONFIG_PARAMETER, STACK.properties("ConfigParameter").path("Name").asText());
        assertEquals(SampleStack.RELEASE_PARAMETER_PREFIX, STACK.parameters().get("ReleaseParameterPrefix"));
        JsonNode release = STACK.properties("Release").path("Parameters");
        assertEquals(SampleStack.LIVE_IMAGE_PARAMETER, release.path("Image").asText());
        assertEquals(SampleStack.LIVE_SIGNING_KEY_PARAMETER, release.path("SigningKeySlot").asText());
    }

    @Test
    void theServiceIsTheTemplates() {
        JsonNode task = STACK.properties("TaskDefinition");
        JsonNode container = task.path("ContainerDefinitions").path(0);
        JsonNode service = STACK.properties("Service");
        assertEquals(SampleStack.TASK_CPU, task.path("Cpu").asText());
        assertEquals(SampleStack.TASK_MEMORY, task.path("Memory").asText());
        assertEquals(SampleStack.CONTAINER, container.path("Name").asText());
        assertEquals(SampleStack.CONTAINER_PORT, container.path("PortMappings").path(0).path("ContainerPort").asInt());
        assertEquals(String.valueOf(SampleStack.CONTAINER_PORT), named(container.path("Environment"), "PORT").path("Value").asText());
        assertEquals(List.of(SampleStack.SIGNING_KEY), names(container.path("Secrets")));
        assertEquals(SampleStack.DESIRED_COUNT, service.path("DesiredCount").asInt());
        assertEquals(SampleStack.MAXIMUM_PERCENT, service.path("DeploymentConfiguration").path("MaximumPercent").asInt());
        assertEquals(SampleStack.MINIMUM_HEALTHY_PERCENT, service.path("DeploymentConfiguration").path("MinimumHealthyPercent").asInt());
        assertEquals("{\"Enable\":true,\"Rollback\":true}",
                service.path("DeploymentConfiguration").path("DeploymentCircuitBreaker").toString(), "World's circuit breaker");
        assertEquals(SampleStack.CONTAINER, service.path("LoadBalancers").path(0).path("ContainerName").asText());
        assertEquals(SampleStack.CONTAINER_PORT, service.path("LoadBalancers").path(0).path("ContainerPort").asInt());
        assertEquals(SampleStack.CONTAINER_PORT, STACK.properties("TargetGroup").path("Port").asInt());
        assertEquals(SampleStack.VPC_CIDR, STACK.properties("Vpc").path("CidrBlock").asText());
    }

    @Test
    void theTableHasTheTemplatesKeys() {
        JsonNode keys = STACK.properties("DeploymentTable").path("KeySchema");
        assertEquals(SampleStack.PARTITION_KEY, named(keys, "HASH", "KeyType").path("AttributeName").asText());
        assertEquals(SampleStack.SORT_KEY, named(keys, "RANGE", "KeyType").path("AttributeName").asText());
    }

    /** The configuration document is the template's but for the tests' named choices (key, deadline, revisions kept). */
    @Test
    void theConfigurationDocumentIsTheTemplatesButForTheTestsChoices() {
        ObjectNode template = (ObjectNode) Json.tree(STACK.properties("ConfigParameter").path("Value").asText());
        ObjectNode sample = (ObjectNode) Json.tree(SampleStack.configDocument(null));
        template.put("kmsKeyId", SampleStack.KMS_KEY);
        ObjectNode target = (ObjectNode) template.path("targets").path(0);
        ((ObjectNode) target.path("health")).put("deadlineSeconds", SampleStack.DEADLINE_SECONDS);
        target.put("keepRevisions", SampleStack.KEEP_REVISIONS);
        assertEquals(template, sample);
    }

    private static JsonNode named(JsonNode list, String name) {
        return named(list, name, "Name");
    }

    private static JsonNode named(JsonNode list, String value, String field) {
        return StreamSupport.stream(list.spliterator(), false).filter(e -> e.path(field).asText().equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + field + " " + value + " in " + list));
    }

    private static List<String> names(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false).map(e -> e.path("Name").asText()).toList();
    }
}
