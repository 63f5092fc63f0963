package dev.pushdeploy.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.local.ecs.EcsSimulator;
import dev.pushdeploy.ops.Json;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * What the stack would create, in the emulator: network, cluster, a service running revision 1
 * of {@code web} (image v1, signing key in slot a), the ECR repository with images, the table,
 * the topic (with an SQS queue subscribed, to read notifications), and the configuration.
 * Integration tests build one per test after the emulator reset. Every value the template defines
 * (names, port, task size, desired count, rollout settings, table keys) is {@link SampleStack}'s.
 */
public final class World extends SampleStack {
    public final Emulator emulator;
    public final EcsClient ecs;
    public final EcrClient ecr;
    public final SsmClient ssm;
    public final DynamoDbClient dynamo;
    public final SnsClient sns;
    public final SqsClient sqs;
    public final EventBridgeClient events;
    public final ElasticLoadBalancingV2Client elb;
    public final Ec2Client ec2;
    public final SfnClient sfn;

    public String subnetId;
    public String securityGroupId;
    public String targetGroupArn;
    public String repositoryUri;
    public String topicArn;
    public String notificationsQueueUrl;
    /** Digest of image {@code v1.0.0}, live in revision 1. */
    public String liveDigest;
    public String liveTaskDefinition;

    private World(Emulator emulator) {
        this.emulator = emulator;
        ecs = emulator.client(EcsClient.builder());
        ecr = emulator.client(EcrClient.builder());
        ssm = emulator.client(SsmClient.builder());
        dynamo = emulator.client(DynamoDbClient.builder());
        sns = emulator.client(SnsClient.builder());
        sqs = emulator.client(SqsClient.builder());
        events = emulator.client(EventBridgeClient.builder());
        elb = emulator.client(ElasticLoadBalancingV2Client.builder());
        ec2 = emulator.client(Ec2Client.builder());
        sfn = emulator.client(SfnClient.builder());
    }

    /**
     * Creates everything, with the default configuration document without the service's alarms: moto
     * cannot answer CloudWatch in the protocol the SDK speaks to it (Smithy RPC v2 CBOR); the end-to-end
     * tests judge alarms against the local runtime's CloudWatch.
     */
    public static World create(Emulator emulator) {
        World world = new World(emulator);
        world.build(configDocument(null, false));
        return world;
    }

    /** Creates everything, with the given configuration document. */
    public static World create(Emulator emulator, String configDocument) {
        World world = new World(emulator);
        world.build(configDocument);
        return world;
    }

    public PipelineConfig config() {
        return ConfigParser.parse(ssm.getParameter(r -> r.name(CONFIG_PARAMETER)).parameter().value());
    }

    private void build(String configDocument) {
        String vpc = ec2.createVpc(r -> r.cidrBlock(VPC_CIDR)).vpc().vpcId();
        subnetId = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24")).subnet().subnetId();
        securityGroupId = ec2.createSecurityGroup(r -> r.vpcId(vpc).groupName("app").description("app tasks")).groupId();
        targetGroupArn = elb.createTargetGroup(r -> r.name("web").protocol("HTTP").port(CONTAINER_PORT).vpcId(vpc).targetType("ip"))
                .targetGroups().get(0).targetGroupArn();

        repositoryUri = ecr.createRepository(r -> r.repositoryName(REPOSITORY)).repository().repositoryUri();
        liveDigest = pushImage("v1.0.0");

        ssm.putParameter(r -> r.name(CONFIG_PARAMETER).type(ParameterType.STRING).value(configDocument));
        ssm.putParameter(r -> r.name(SIGNING_KEY_PARAMETER + "/a").type(ParameterType.SECURE_STRING)
                .keyId(KMS_KEY).value("initial-signing-key-value-slot-a"));

        ecs.createCluster(r -> r.clusterName(CLUSTER));
        liveTaskDefinition = ecs.registerTaskDefinition(r -> r.family(SERVICE)
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu(TASK_CPU).memory(TASK_MEMORY)
                        .executionRoleArn("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-execution")
                        .taskRoleArn("arn:aws:iam::" + Emulator.ACCOUNT + ":role/web-task")
                        .containerDefinitions(ContainerDefinition.builder()
                                .name(CONTAINER)
                                .image(repositoryUri + "@" + liveDigest)
                                .essential(true)
                                .portMappings(p -> p.containerPort(CONTAINER_PORT))
                                .environment(e -> e.name("PORT").value(String.valueOf(CONTAINER_PORT)))
                                .secrets(Secret.builder().name(SIGNING_KEY).valueFrom(SIGNING_KEY_PARAMETER + "/a").build())
                                .build()))
                .taskDefinition().taskDefinitionArn();
        ecs.createService(r -> r.cluster(CLUSTER).serviceName(SERVICE).taskDefinition(liveTaskDefinition)
                .desiredCount(DESIRED_COUNT).launchType(LaunchType.FARGATE)
                .loadBalancers(lb -> lb.targetGroupArn(targetGroupArn).containerName(CONTAINER).containerPort(CONTAINER_PORT))
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnetId)
                        .securityGroups(securityGroupId).assignPublicIp(AssignPublicIp.DISABLED)))
                .deploymentConfiguration(d -> d.maximumPercent(MAXIMUM_PERCENT).minimumHealthyPercent(MINIMUM_HEALTHY_PERCENT)
                        .deploymentCircuitBreaker(cb -> cb.enable(true).rollback(true))));

        dynamo.createTable(r -> r.tableName(TABLE)
                .keySchema(k -> k.attributeName(PARTITION_KEY).keyType(KeyType.HASH), k -> k.attributeName(SORT_KEY).keyType(KeyType.RANGE))
                .attributeDefinitions(a -> a.attributeName(PARTITION_KEY).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(SORT_KEY).attributeType(ScalarAttributeType.S))
                .billingMode("PAY_PER_REQUEST"));

        topicArn = sns.createTopic(r -> r.name("pushdeploy-outcomes")).topicArn();
        notificationsQueueUrl = sqs.createQueue(r -> r.queueName("notifications")).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(notificationsQueueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                .attributes(Map.of("RawMessageDelivery", "true")));
    }

    /** The state machine's name, as the template names it for the stack "pushdeploy". */
    public static final String STATE_MACHINE = "pushdeploy-deploy";

    /**
     * Starts an execution of a stand-in state machine (it only waits) with {@code input} as given to
     * StartExecution, as Prepare reads it back; returns the execution's ARN.
     */
    public String startExecution(String name, String input) {
        return startExecution(name, input, "Wait");
    }

    /**
     * As {@link #startExecution(String, String)}, the stand-in's one (waiting) state named {@code state}: its
     * history then shows the execution entering {@code state} with {@code input}, as a run's history shows a step
     * entered with its state document.
     */
    public String startExecution(String name, String input, String state) {
        String machine = sfn.listStateMachines().stateMachines().stream().filter(m -> m.name().equals(STATE_MACHINE))
                .map(m -> m.stateMachineArn()).findFirst()
                .orElseGet(() -> sfn.createStateMachine(r -> r.name(STATE_MACHINE).roleArn("arn:aws:iam::" + Emulator.ACCOUNT + ":role/deploy")
                        .definition("{\"StartAt\":\"" + state + "\",\"States\":{\"" + state
                                + "\":{\"Type\":\"Wait\",\"Seconds\":3600,\"End\":true}}}"))
                        .stateMachineArn());
        String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name(name).input(input)).executionArn();
        // moto enters the state on a thread of its own: until then the history shows no state at all
        long deadline = System.currentTimeMillis() + 10_000;
        while (sfn.getExecutionHistory(r -> r.executionArn(arn)).events().stream()
                .noneMatch(e -> e.stateEnteredEventDetails() != null && state.equals(e.stateEnteredEventDetails().name()))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(name + " did not enter " + state + " within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return arn;
    }

    /** Pushes a new image manifest tagged {@code tag}; returns its digest as ECR reports it. */
    public String pushImage(String tag) {
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,"digest":"sha256:%s"}]}"""
                .formatted(sha256(tag), sha256("layer " + tag));
        return ecr.putImage(r -> r.repositoryName(REPOSITORY).imageManifest(manifest).imageTag(tag))
                .image().imageId().imageDigest();
    }

    /** Registers revision 2 of {@code web} in the emulator: revision 1 with image {@code tag}. */
    public String registerRevision2(String tag) {
        String digest = pushImage(tag);
        TaskDefinition live = ecs.describeTaskDefinition(r -> r.taskDefinition(liveTaskDefinition)).taskDefinition();
        ContainerDefinition app = live.containerDefinitions().get(0).toBuilder().image(repositoryUri + "@" + digest).build();
        return ecs.registerTaskDefinition(r -> r.family(live.family())
                        .networkMode(live.networkMode())
                        .requiresCompatibilitiesWithStrings(live.requiresCompatibilitiesAsStrings())
                        .cpu(live.cpu()).memory(live.memory())
                        .executionRoleArn(live.executionRoleArn())
                        .taskRoleArn(live.taskRoleArn())
                        .containerDefinitions(app))
                .taskDefinition().taskDefinitionArn();
    }

    /**
     * Moves the service to revision 2 (image {@code v1.0.1}) by blue/green, test traffic going through the ECS simulator's
     * test listener at this world's endpoint (a {@link SimulatedEcs}): the configuration names the strategy, then
     * UpdateService starts the service deployment ECS invokes the lifecycle hook for. Returns revision 2.
     */
    public String shiftTrafficToRevision2() {
        ObjectNode config = (ObjectNode)
                Json.tree(ssm.getParameter(r -> r.name(CONFIG_PARAMETER)).parameter().value());
        ((ObjectNode) config.path("targets").get(0)).putObject("strategy").put("type", "BLUE_GREEN")
                .put("testUrl", emulator.endpoint().resolve(EcsSimulator.TEST_PATH + CLUSTER + "/" + SERVICE).toString())
                .put("testHeader", EcsSimulator.TEST_HEADER).put("testHeaderValue", "through-the-test-listener");
        ssm.putParameter(r -> r.name(CONFIG_PARAMETER).value(config.toString()).overwrite(true));
        String revision = registerRevision2("v1.0.1");
        ecs.updateService(r -> r.cluster(CLUSTER).service(SERVICE).taskDefinition(revision));
        return revision;
    }

    /**
     * {@code sample}, an ECS lifecycle hook's payload after test traffic moved, naming the service's newest service
     * deployment and its target revision (as ECS names them when it invokes the hook).
     */
    public String hookPayload(String sample) {
        String deployment = ecs.listServiceDeployments(r -> r.cluster(CLUSTER).service(SERVICE))
                .serviceDeployments().get(0).serviceDeploymentArn();
        String revision = ecs.describeServiceDeployments(r -> r.serviceDeploymentArns(deployment))
                .serviceDeployments().get(0).targetServiceRevision().arn();
        ObjectNode payload = (ObjectNode) Json.tree(sample);
        payload.put("resourceArn", deployment);
        ObjectNode details = (ObjectNode) payload.path("executionDetails");
        details.put("targetServiceRevisionArn", revision);
        details.putObject("testTrafficWeights").put(revision, 100.0);
        return payload.toString();
    }

    /** The service's taskDefinition as the emulator now has it. */
    public String serviceTaskDefinition() {
        return ecs.describeServices(r -> r.cluster(CLUSTER).services(SERVICE)).services().get(0).taskDefinition();
    }

    /** The messages the SNS topic delivered so far. */
    public List<String> notifications() {
        return sqs.receiveMessage(r -> r.queueUrl(notificationsQueueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages().stream().map(m -> m.body()).toList();
    }

    public Map<String, AttributeValue> item(String pk, String sk) {
        return dynamo.getItem(r -> r.tableName(TABLE).key(Map.of(PARTITION_KEY, AttributeValue.fromS(pk), SORT_KEY, AttributeValue.fromS(sk))))
                .item();
    }
}
