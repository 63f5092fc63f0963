package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * IaC coexistence (docs/design.md, "The stack and the pipeline"): the stack's task definition takes its image and secret slots from
 * the release parameters the pipeline's Finalize keeps current (template parameters of type
 * AWS::SSM::Parameter::Value&lt;String&gt;, resolved by CloudFormation on every deploy). Here the
 * template is resolved the way CloudFormation would, reading those parameters from the emulator:
 * after the real Finalize recorded a new release, a redeploy of the stack registers the
 * pipeline's image and slot, not the ones it started with.
 */
@ExtendWith(EmulatorExtension.class)
class CoexistenceIT {
    private static final CfnTemplate TEMPLATE = Deployments.TEMPLATE;

    /** The deployment CloudFormation would make now: SSM-typed parameters read from the emulator. */
    private static Deployment deployNow(World world, Map<String, String> overrides) {
        return Deployments.stack(overrides, name -> {
            try {
                return Optional.of(world.ssm.getParameter(r -> r.name(name)).parameter().value());
            } catch (ParameterNotFoundException e) {
                return Optional.empty();
            }
        }, Deployments.names().bind(Map.of("DeploymentTable", World.TABLE, "NotificationTopic", world.topicArn)));
    }

    private static JsonNode container(Deployment stack) {
        return stack.properties("TaskDefinition").path("ContainerDefinitions").get(0);
    }

    private static Map<String, String> secrets(Deployment stack) {
        Map<String, String> secrets = new HashMap<>();
        container(stack).path("Secrets").forEach(s -> secrets.put(s.path("Name").asText(), s.path("ValueFrom").asText()));
        return secrets;
    }

    private static String releaseParameter(String suffix) {
        return TEMPLATE.parameterDefault("ReleaseParameterPrefix").orElseThrow() + "/"
                + TEMPLATE.parameterDefault("ClusterName").orElseThrow() + "/" + TEMPLATE.parameterDefault("AppName").orElseThrow()
                + "/" + suffix;
    }

    private static void put(World world, String name, String value) {
        world.ssm.putParameter(r -> r.name(name).type(ParameterType.STRING).value(value).overwrite(true));
    }

    @Test
    void theReleaseParametersAreTheOnesFinalizeWrites() {
        Deployment stack = Deployments.stack(Map.of(), name -> Optional.of("none"), Deployments.names());
        List<String> written = List.of(releaseParameter("image"), releaseParameter("secret/APP_SIGNING_KEY"),
                releaseParameter("secret/DB_PASSWORD"));
        List<String> created = new ArrayList<>();
        stack.properties("InitialReleaseParameters").path("Names").forEach(n -> created.add(n.asText()));
        assertEquals(written, created, "the stack creates them");
        JsonNode read = stack.properties("Release").path("Parameters");
        assertEquals(written, List.of(read.path("Image").asText(), read.path("SigningKeySlot").asText(),
                read.path("DbPasswordSlot").asText()), "its nested stack reads them");
        assertEquals(TEMPLATE.parameterDefault("ReleaseParameterPrefix").orElseThrow(),
                ConfigParser.parse(stack.properties("ConfigParameter").path("Value").asText()).releaseParameterPrefix(),
                "Finalize writes under the configuration document's prefix");
    }

    @Test
    void beforeTheFirstReleaseTheServiceRunsNothingAndThePushRuleWaitsForTheFirstPush(Emulator emulator) {
        World world = World.create(emulator);
        for (String suffix : new String[] {"image", "secret/APP_SIGNING_KEY", "secret/DB_PASSWORD"}) {
            put(world, releaseParameter(suffix), "none");
        }

        Deployment stack = deployNow(world, Map.of());

        assertEquals(world.repositoryUri + ":bootstrap", container(stack).path("Image").asText());
        assertEquals(Map.of("APP_SIGNING_KEY", World.SIGNING_KEY_PARAMETER + "/a"), secrets(stack),
                "the slot the first release writes (no task reads it before)");
        assertEquals("0", stack.properties("Service").path("DesiredCount").asText());
        assertEquals("ENABLED", stack.properties("PushRule").path("State").asText());
    }

    @Test
    void aRedeployAfterThePipelineKeepsThePipelinesImageAndSlot(Emulator emulator) throws Exception {
        World world = World.create(emulator);
        String original = world.repositoryUri + "@" + world.liveDigest;
        put(world, releaseParameter("image"), original);
        put(world, releaseParameter("secret/APP_SIGNING_KEY"), World.SIGNING_KEY_PARAMETER + "/a");
        put(world, releaseParameter("secret/DB_PASSWORD"), "none");
        Deployment first = deployNow(world, Map.of());
        assertEquals(original, container(first).path("Image").asText(), "the first release is what the stack deploys");
        assertEquals(Map.of("APP_SIGNING_KEY", World.SIGNING_KEY_PARAMETER + "/a"), secrets(first));
        assertEquals("2", first.properties("Service").path("DesiredCount").asText());

        String deployed = pipelineDeploysV110(world, first);

        Deployment redeploy = deployNow(world, Map.of());
        assertEquals(deployed, container(redeploy).path("Image").asText());
        assertNotEquals(original, container(redeploy).path("Image").asText(), "the old image does not come back");
        assertEquals(Map.of("APP_SIGNING_KEY", World.SIGNING_KEY_PARAMETER + "/b"), secrets(redeploy),
                "the secret follows the rotated slot");
        String live = world.ecs.describeServices(r -> r.cluster(World.CLUSTER).services(World.SERVICE)).services().get(0).taskDefinition();
        assertEquals(deployed, world.ecs.describeTaskDefinition(r -> r.taskDefinition(live)).taskDefinition()
                .containerDefinitions().get(0).image(), "what the stack would register is what runs");
        assertEquals("ENABLED", redeploy.properties("PushRule").path("State").asText());
    }

    @Test
    void withTheDatabaseTheLoginRoleFollowsThePasswordSlot(Emulator emulator) {
        World world = World.create(emulator);
        put(world, releaseParameter("image"), world.repositoryUri + "@" + world.liveDigest);
        put(world, releaseParameter("secret/APP_SIGNING_KEY"), World.SIGNING_KEY_PARAMETER + "/a");
        for (String slot : new String[] {"a", "b"}) {
            put(world, releaseParameter("secret/DB_PASSWORD"), "/pushdeploy/web/db-password/" + slot);

            Deployment stack = deployNow(world, Map.of("EnableDatabase", "true"));

            assertEquals("/pushdeploy/web/db-password/" + slot, secrets(stack).get("DB_PASSWORD"));
            Map<String, String> environment = new HashMap<>();
            container(stack).path("Environment").forEach(e -> environment.put(e.path("Name").asText(), e.path("Value").asText()));
            assertEquals("app_" + slot, environment.get("DB_USER"));
            assertEquals(Deployments.DATABASE_HOST, environment.get("DB_HOST"));
        }
    }

    /**
     * The pipeline deploys v1.1.0 with a rotated slot b (revision 6 is live, as in events/finalize.json)
     * and its real Finalize, wired as the template wires it, records the release. Returns the image.
     */
    private static String pipelineDeploysV110(World world, Deployment stack) throws Exception {
        String v110 = world.pushImage("v1.1.0");
        for (int i = 2; i <= 5; i++) {
            register(world, world.liveDigest, "a");
        }
        String live = register(world, v110, "b");
        world.ecs.updateService(r -> r.cluster(World.CLUSTER).service(World.SERVICE).taskDefinition(live));
        String event = Files.readString(Repo.events("finalize.json"));
        Map<String, String> environment = new HashMap<>(FunctionEnvironment.of(stack, "LockFunction"));
        environment.putAll(FunctionEnvironment.of(stack, "FinalizeFunction"));
        environment.putAll(Map.of("aws.endpointUrl", world.emulator.endpoint().toString(), "aws.region", Emulator.REGION,
                "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing"));
        FunctionEnvironment.with(environment, () -> {
            for (String handler : new String[] {"LockHandler", "FinalizeHandler"}) {
                RequestStreamHandler step = (RequestStreamHandler) Class.forName(Repo.HANDLER_PACKAGE + handler).getConstructor().newInstance();
                step.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
            }
            return null;
        });
        return world.repositoryUri + "@" + v110;
    }

    private static String register(World world, String digest, String slot) {
        return world.ecs.registerTaskDefinition(r -> r.family(World.SERVICE).networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE).cpu("256").memory("512")
                        .containerDefinitions(c -> c.name(World.CONTAINER).image(world.repositoryUri + "@" + digest).essential(true)
                                .secrets(Secret.builder().name("APP_SIGNING_KEY").valueFrom(World.SIGNING_KEY_PARAMETER + "/" + slot).build())))
                .taskDefinition().taskDefinitionArn();
    }
}
