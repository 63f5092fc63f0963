package dev.pushdeploy.local.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.moto.MotoServer;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.CfnTemplate;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The local stack follows template.yaml: whatever the template's parameters say (its defaults, or
 * other values), the emulator holds exactly that after the bootstrap, and the first release runs.
 */
class BootstrapIT {
    private static final Path TEMPLATE = Path.of("..", "template.yaml").toAbsolutePath().normalize();
    private static MotoServer moto;
    private static Bootstrap bootstrap;
    private static Clients clients;

    @BeforeAll
    static void start() {
        moto = MotoServer.start();
        Clients.aimSdkDefaultsAt(moto.endpoint());
        bootstrap = new Bootstrap(moto.endpoint(), URI.create("http://localhost:1/pushdeploy-local/smoke/"));
        clients = new Clients(moto.endpoint());
    }

    @AfterAll
    static void stop() {
        bootstrap.close();
        moto.close();
    }

    private static StackOutputs create(Map<String, String> parameters) {
        moto.reset();
        long started = System.nanoTime();
        StackOutputs stack = bootstrap.create(PipelineTemplate.expand(TEMPLATE, parameters));
        System.out.printf("bootstrap with %s: %.1f s%n", parameters, (System.nanoTime() - started) / 1e9);
        return stack;
    }

    @Test
    void theServicesAreWhatTheTemplatesParametersSay() {
        Map<String, String> changed = Map.of("ContainerPort", "9090", "HealthCheckPath", "/ready", "TaskCpu", "512",
                "TaskMemory", "1024", "DesiredCount", "3", "AppName", "shop", "ContainerName", "api");
        Map<String, String> parameters = new HashMap<>(changed);
        parameters.putAll(dev.pushdeploy.testing.SampleStack.secondService("api"));
        parameters.putAll(Map.of("SecondDesiredCount", "1", "DeploymentStrategy", "BLUE_GREEN"));
        StackOutputs stack = create(parameters);

        assertService(stack, changed);
        assertEquals(List.of("shop", "api"), stack.services().stream().map(s -> s.target().service()).toList());
        StackOutputs.Service second = stack.services().get(1);
        Service api = clients.build(EcsClient.builder()).describeServices(r -> r.cluster("pushdeploy").services("api")).services().get(0);
        assertEquals(1, api.desiredCount());
        assertEquals(second.initialTaskDefinition(), api.taskDefinition());
        assertEquals(stack.releaseStateMachineArn(), stack.outputs().get("ReleaseStateMachineArn"));
        assertEquals(stack.stateMachineArn(), stack.outputs().get("StateMachineArn"));

        StackOutputs.Service shop = stack.service();
        TargetGroup alternate = clients.build(ElasticLoadBalancingV2Client.builder())
                .describeTargetGroups(r -> r.targetGroupArns(shop.alternateTargetGroupArn())).targetGroups().get(0);
        assertEquals("/ready", alternate.healthCheckPath(), "the blue/green alternate target group is the template's");
        assertEquals(9090, alternate.port());
        assertFalse(shop.hooks().isEmpty(), "the service's lifecycle hook");
        assertTrue(shop.hooks().stream().allMatch(h -> stack.functions().stream()
                .anyMatch(f -> h.targetArn().startsWith(PipelineTemplate.functionArn(f.name())))), shop.hooks().toString());
    }

    /**
     * Settings every parameter constraint and rule accepts but that need arithmetic to refuse fail the stack's creation,
     * naming why, at the release parameters' custom resource, before the services: a configuration document the
     * pipeline's functions refuse (ECS's canary and bake schedule alone outlasting a run's rollout time), VPC ranges a
     * Transit Gateway cannot route between, rolling limits that let ECS replace no task of the second service.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("settingsOnlyArithmeticRefuses")
    void settingsOnlyArithmeticRefusesFailTheStackNamingWhy(String what, Map<String, String> parameters, String reason) {
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> create(parameters));
        assertTrue(failed.getMessage().contains("InitialReleaseParameters (Custom::ReleaseParameters): Create FAILED: " + reason),
                failed.getMessage());
        assertEquals(List.of(), clients.build(EcsClient.builder()).listServices(r -> r.cluster("pushdeploy")).serviceArns(),
                "no service was created");
    }

    static Stream<Arguments> settingsOnlyArithmeticRefuses() {
        Map<String, String> second = new HashMap<>(dev.pushdeploy.testing.SampleStack.secondService("api"));
        second.putAll(Map.of("SecondDesiredCount", "1", "SecondMinimumHealthyPercent", "100", "SecondMaximumPercent", "150"));
        return Stream.of(
                Arguments.of("canary bakes longer than a rollout may take",
                        Map.of("DeploymentStrategy", "CANARY", "CanaryBakeMinutes", "55", "ShiftBakeMinutes", "55"),
                        "Configuration: the stack's settings make a configuration document every pipeline function refuses:"
                                + " targets[0].strategy: CANARY bakes 110 minutes"),
                Arguments.of("the database VPC inside the application's",
                        Map.of("EnableDatabase", "true", "DatabaseNetwork", "transit-gateway", "VpcCidr", "10.0.0.0/16",
                                "DatabaseVpcCidr", "10.0.128.0/22"),
                        "NetworkRanges: VpcCidr 10.0.0.0/16 and DatabaseVpcCidr 10.0.128.0/22 overlap"),
                Arguments.of("a second service ECS cannot roll", second,
                        "Rolling: service api: with 1 desired task(s) ECS may run at most 1"));
    }

    @Test
    void withItsDefaultsTheLocalStackIsTheTemplatesDefaults() {
        PipelineTemplate.LocalTemplate local = PipelineTemplate.expand(TEMPLATE, Map.of());
        CfnTemplate template = local.template();
        Map<String, String> defaults = new HashMap<>();
        for (String name : List.of("ContainerPort", "HealthCheckPath", "TaskCpu", "TaskMemory", "DesiredCount", "AppName", "ContainerName")) {
            defaults.put(name, template.parameterDefault(name).orElseThrow());
        }
        StackOutputs stack = create(Map.of());

        assertService(stack, defaults);
        Set<String> released = new TreeSet<>();
        SsmClient ssm = clients.build(SsmClient.builder());
        bootstrap.resolve(local).properties("InitialReleaseParameters").path("Names").forEach(name ->
                released.add(ssm.getParameter(r -> r.name(name.asText())).parameter().value()));
        StackOutputs.Service web = stack.service();
        assertEquals(new TreeSet<>(Set.of(web.repositoryUri() + "@" + web.initialDigest(), "/pushdeploy/web/app-signing-key/a",
                "/pushdeploy/web/db-password/a")), released, "the first release is recorded in the parameters the stack created");
    }

    /** As ECR with immutable tags: a tag pushed again with its own image changes nothing, with another it is refused. */
    @Test
    void aTagPushedAgainKeepsItsImageAndRefusesAnotherBeforePushingAnything() {
        moto.reset();
        EcrClient ecr = clients.build(EcrClient.builder());
        ecr.createRepository(r -> r.repositoryName("pushes").imageTagMutability(ImageTagMutability.IMMUTABLE)
                .imageScanningConfiguration(c -> c.scanOnPush(false)));
        String image = "sha256:" + "a".repeat(64);
        String index = "sha256:" + "b".repeat(64);
        String other = "sha256:" + "c".repeat(64);
        assertEquals(image, bootstrap.pushImage("pushes", "one", image));
        assertEquals(index, bootstrap.pushIndex("pushes", "many", index));
        Set<String> pushed = digests(ecr);
        assertEquals(4, pushed.size(), "an image, an index and its two platform images: " + pushed);

        assertEquals(image, bootstrap.pushImage("pushes", "one", image));
        assertEquals(index, bootstrap.pushIndex("pushes", "many", index));
        assertEquals(index, bootstrap.pushIndex("pushes", "many", null));
        for (String tag : List.of("one", "many")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> bootstrap.pushIndex("pushes", tag, other));
            assertEquals("cannot push pushes:" + tag + " as " + other + ": the tag is " + (tag.equals("one") ? image : index)
                    + " already and the repository's tags are immutable", refused.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> bootstrap.pushImage("pushes", "many", other));
        assertEquals(pushed, digests(ecr), "nothing pushed");
    }

    private static Set<String> digests(EcrClient ecr) {
        return ecr.describeImages(r -> r.repositoryName("pushes")).imageDetails().stream()
                .map(d -> d.imageDigest()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theStateMachineInvokesTheFunctionsAliasesAndTheRuleIsOnAfterTheFirstRelease() {
        StackOutputs stack = create(Map.of());

        String definition = clients.build(SfnClient.builder()).describeStateMachine(r -> r.stateMachineArn(stack.stateMachineArn()))
                .definition();
        assertFalse(definition.contains("${"), definition);
        List<String> invoked = new java.util.ArrayList<>();
        for (var function : stack.functions()) {
            String arn = PipelineTemplate.functionArn(function.name());
            assertFalse(definition.replace(arn + ":live", "").contains(arn), function.name() + " is invoked through its alias only");
            if (definition.contains(arn + ":live")) {
                invoked.add(function.name());
            }
        }
        assertTrue(invoked.containsAll(List.of("PrepareFunction", "FinalizeFunction")), invoked.toString());
        assertEquals(null, stack.releaseStateMachineArn(), "the release state machine comes with a second service");
        assertEquals(1, stack.eventPatterns().size(), "the push rule is enabled once a release exists");
        assertEquals(stack.stateMachineArn(), stack.outputs().get("StateMachineArn"));
        assertEquals(stack.service().repositoryUri(), stack.outputs().get("RepositoryUri"));
        assertEquals("localhost", stack.outputs().get("DatabaseEndpoint"), "the embedded PostgreSQL plays the RDS instance");
    }

    private static void assertService(StackOutputs stack, Map<String, String> expected) {
        EcsClient ecs = clients.build(EcsClient.builder());
        String app = expected.get("AppName");
        Service service = ecs.describeServices(r -> r.cluster("pushdeploy").services(app)).services().get(0);
        assertEquals(Integer.parseInt(expected.get("DesiredCount")), service.desiredCount());
        assertEquals(expected.get("ContainerName"), service.loadBalancers().get(0).containerName());
        assertEquals(Integer.parseInt(expected.get("ContainerPort")), service.loadBalancers().get(0).containerPort());

        TaskDefinition revision = ecs.describeTaskDefinition(r -> r.taskDefinition(service.taskDefinition())).taskDefinition();
        assertEquals(app, revision.family());
        assertEquals(expected.get("TaskCpu"), revision.cpu());
        assertEquals(expected.get("TaskMemory"), revision.memory());
        ContainerDefinition container = revision.containerDefinitions().get(0);
        assertEquals(expected.get("ContainerName"), container.name());
        assertEquals(Integer.parseInt(expected.get("ContainerPort")), container.portMappings().get(0).containerPort());
        assertTrue(container.environment().stream().anyMatch(e -> e.name().equals("PORT") && e.value().equals(expected.get("ContainerPort"))),
                container.environment().toString());
        StackOutputs.Service released = stack.services().get(0);
        assertEquals(released.repositoryUri() + "@" + released.initialDigest(), container.image());
        assertEquals(Set.of("APP_SIGNING_KEY", "DB_PASSWORD"), container.secrets().stream().map(s -> s.name()).collect(Collectors.toSet()));
        assertTrue(container.secrets().stream().allMatch(s -> s.valueFrom().endsWith("/a")), container.secrets().toString());
        assertEquals(TaskDefinitionStatus.INACTIVE, ecs.describeTaskDefinition(r -> r.taskDefinition(app + ":1")).taskDefinition().status(),
                "the revision made before the first release is replaced, as CloudFormation replaces it");

        TargetGroup group = clients.build(ElasticLoadBalancingV2Client.builder())
                .describeTargetGroups(r -> r.targetGroupArns(service.loadBalancers().get(0).targetGroupArn())).targetGroups().get(0);
        assertEquals(expected.get("HealthCheckPath"), group.healthCheckPath());
        assertEquals(Integer.parseInt(expected.get("ContainerPort")), group.port());

        Ec2Client ec2 = clients.build(Ec2Client.builder());
        List<String> subnets = service.networkConfiguration().awsvpcConfiguration().subnets();
        assertEquals(List.of("10.0.32.0/20", "10.0.48.0/20"), subnets.stream()
                .map(s -> ec2.describeSubnets(r -> r.subnetIds(s)).subnets().get(0).cidrBlock()).toList(),
                "the private subnets, carved from VpcCidr as the template's Fn::Cidr says");

        Repository repository = clients.build(EcrClient.builder()).describeRepositories(r -> r.repositoryNames(app)).repositories().get(0);
        assertTrue(repository.imageScanningConfiguration().scanOnPush());
        JsonNode config = Json.tree(clients.build(SsmClient.builder()).getParameter(r -> r.name(stack.configParameter())).parameter().value());
        assertEquals(app, config.path("targets").get(0).path("service").asText());
        assertEquals(expected.get("ContainerName"), config.path("targets").get(0).path("container").asText());
    }
}
