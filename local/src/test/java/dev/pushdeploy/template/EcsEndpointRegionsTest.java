package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.template.AwsNames;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the database, RotateSecrets runs in the private subnets and calls the ECS API (DescribeServices,
 * DescribeTaskDefinition), which a VPC without NAT reaches only through the {@code ecs} interface endpoint. In the Regions
 * introduced starting on 23 December 2023, ECS's guide to its interface endpoints says "You must have the following
 * Region-specific VPC endpoints ... If you do not configure all of the endpoints, your traffic will go over the public
 * endpoints, not your VPC endpoint": {@code ecs-agent}, {@code ecs-telemetry} and {@code ecs}, its example ca-west-1
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html). So the stack creates the two more
 * there, and not in the Regions opened before (a closed list), where {@code ecs} alone serves.
 */
class EcsEndpointRegionsTest {
    @ParameterizedTest(name = "{0}, EnableDatabase={1}")
    @CsvSource({
            "ca-west-1, true, 'ecs,ecs-agent,ecs-telemetry'",
            "mx-central-1, true, 'ecs,ecs-agent,ecs-telemetry'",
            "ap-southeast-7, true, 'ecs,ecs-agent,ecs-telemetry'",
            "us-east-1, true, ecs",
            "eu-central-2, true, ecs",
            "ap-southeast-4, true, ecs",
            "il-central-1, true, ecs",
            "us-gov-west-1, true, ecs",
            "ca-west-1, false, ''"})
    void theStackHasTheEcsEndpointsItsRegionNeeds(String region, boolean database, String expected) {
        Deployment stack = inRegion(region, Map.of("EnableDatabase", String.valueOf(database), "NatGateways", "none"));
        assertEquals(database, stack.properties("RotateSecretsFunction").path("VpcConfig").has("SubnetIds"),
                "RotateSecrets runs in the VPC's subnets with the database");
        Set<String> ecs = new TreeSet<>();
        for (String id : stack.template().resources("AWS::EC2::VPCEndpoint").keySet()) {
            if (stack.exists(id)) {
                JsonNode p = stack.properties(id);
                String prefix = "com.amazonaws." + region + ".";
                String service = p.path("ServiceName").asText();
                assertTrue(service.startsWith(prefix), service);
                if (service.startsWith(prefix + "ecs")) {
                    ecs.add(service.substring(prefix.length()));
                    assertEquals("{Vpc}", p.path("VpcId").asText(), id);
                    assertTrue(p.path("PrivateDnsEnabled").asBoolean(), id + " resolves ECS's public names privately");
                }
            }
        }
        Set<String> wanted = expected.isEmpty() ? Set.of() : new TreeSet<>(Set.of(expected.split(",")));
        assertEquals(wanted, ecs, "the ECS endpoints of a stack in " + region);
    }

    /** The stack in another Region, every other input as the template's own evaluation gives it. */
    private static Deployment inRegion(String region, Map<String, String> overrides) {
        CfnTemplate template = Deployments.TEMPLATE;
        Function<String, Optional<String>> ssm = name -> Optional.of("none");
        Map<String, String> values = template.parameterValues(overrides, ssm);
        return new Deployment(template, values, Deployments.STACK_NAME, region, Emulator.ACCOUNT,
                new AwsNames((logicalId, type) -> null, Map.of("Database.Endpoint.Port", "5432")).withPlaceholders(), ssm);
    }
}
