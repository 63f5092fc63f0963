package dev.pushdeploy.local.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.adapter.json.Json;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.db.LocalDatabase;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.adapter.json.MasterCredentialsJson;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.adapter.postgres.PostgresRoles;
import dev.pushdeploy.secrets.RandomValues;
import dev.pushdeploy.secrets.SecretRotator;
import dev.pushdeploy.secrets.SecretValue;
import dev.pushdeploy.secrets.Slots;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Creates in the emulator what {@code sam deploy} of the template would create, plus the first
 * release the pipeline needs to roll back to: the network, a target group, and per configured
 * target the ECR repository with images {@code v1.0.0} (live) and {@code v1.1.0} (pushed, not yet
 * deployed; the sample events name it), slot {@code a} of each secret, the
 * cluster, revision 1 of the task definition and the service running it (2 tasks, circuit
 * breaker with rollback); the table, the topic (with an SQS queue subscribed, so notifications
 * can be read back), the configuration document, the release parameters and the state machine
 * from the ASL with the template's substitutions (and, with a second service, the release's).
 *
 * <p>When the configuration has postgres secrets, an embedded PostgreSQL ({@link LocalDatabase})
 * plays the template's RDS instance: started on the first bootstrap, reset on the next ones,
 * stopped by {@link #close()}. Its master credentials go where the configuration's
 * {@code masterParameter} reads them (the template's Secrets Manager secret, through Parameter
 * Store's reference path), and slot {@code a} is made by the real rotation
 * ({@link PostgresRoles}): role {@code <role>_a} with the slot's password, as a first release
 * leaves it. Revision 1 passes the role name in the secret's {@code usernameEnv}.
 *
 * <p>The configuration document is the template's, with local changes: each target's smoke
 * check points at the simulator's smoke URL (so the bad-smoke scenario can fail it), the test
 * listener URL of a traffic-shifting strategy at the simulator's test listener, and
 * postgres secrets name the embedded server's host and port. The rollout deadline stays the
 * template's: time is simulated, waiting for it costs no wall time.
 */
public final class Bootstrap implements AutoCloseable {
    /** The tag of the first image, live in revision 1 of every service. */
    public static final String INITIAL_TAG = "v1.0.0";
    /** A newer build already in the repository, not deployed: the image the sample events and manual inputs name. */
    public static final String NEXT_TAG = "v1.1.0";
    static final String NOTIFICATIONS_QUEUE = "pushdeploy-local-notifications";
    private static final String ACCOUNT = "123456789012";
    private static final String SECRETS_MANAGER_REFERENCE = "/aws/reference/secretsmanager/";

    private final URI smokeBase;
    private final Ec2Client ec2;
    private final ElasticLoadBalancingV2Client elb;
    private final EcrClient ecr;
    private final SsmClient ssm;
    private final EcsClient ecs;
    private final DynamoDbClient dynamo;
    private final SnsClient sns;
    private final SqsClient sqs;
    private final EventBridgeClient events;
    private final SfnClient sfn;
    private final SecretsManagerClient secretsManager;
    private LocalDatabase database;

    /**
     * @param moto      the emulator
     * @param smokeBase base URL of the simulator's smoke endpoint ({@code .../pushdeploy-local/smoke/})
     */
    public Bootstrap(URI moto, URI smokeBase) {
        this.smokeBase = smokeBase;
        Clients clients = new Clients(moto);
        ec2 = clients.build(Ec2Client.builder());
        elb = clients.build(ElasticLoadBalancingV2Client.builder());
        ecr = clients.build(EcrClient.builder());
        ssm = clients.build(SsmClient.builder());
        ecs = clients.build(EcsClient.builder());
        dynamo = clients.build(DynamoDbClient.builder());
        sns = clients.build(SnsClient.builder());
        sqs = clients.build(SqsClient.builder());
        events = clients.build(EventBridgeClient.builder());
        sfn = clients.build(SfnClient.builder());
        secretsManager = clients.build(SecretsManagerClient.builder());
    }

    /** Creates the stack of {@code template}, evaluated with its parameters, in an empty emulator. */
    public StackOutputs create(PipelineTemplate template) {
        return create(template, List.of());
    }

    /**
     * Like {@link #create(PipelineTemplate)}, with the targets of more evaluations of the template
     * (other services of the same cluster) in the one configuration document: each gets its
     * repository, service and secrets as the stack would create them for its parameters.
     */
    public StackOutputs create(PipelineTemplate template, List<PipelineTemplate> moreServices) {
        Map<String, String> environment = environment(template);
        String vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
        String subnet = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")).subnet().subnetId();
        String securityGroup = ec2.createSecurityGroup(r -> r.vpcId(vpc).groupName("app").description("app tasks")).groupId();

        String configParameter = template.configParameterName();
        String templateDocument = withTargetsOf(template.configDocument().orElseThrow(() ->
                new IllegalStateException("template.yaml declares no parameter named " + configParameter)), moreServices);
        List<SecretSpec> databaseSecrets = ConfigParser.parse(templateDocument).targets().stream()
                .flatMap(t -> t.secrets().stream()).filter(s -> s.kind() == SecretSpec.Kind.POSTGRES).toList();
        if (!databaseSecrets.isEmpty()) {
            prepareDatabase(databaseSecrets);
        }
        String document = localConfig(templateDocument);
        PipelineConfig config = ConfigParser.parse(document);
        ssm.putParameter(r -> r.name(configParameter).type(ParameterType.STRING).value(document));

        String releasePrefix = environment.get(Env.RELEASE_PARAMETER_PREFIX);
        List<StackOutputs.Service> services = new ArrayList<>();
        Set<String> clusters = new HashSet<>();
        for (Target target : config.targets()) {
            if (clusters.add(target.cluster())) {
                ecs.createCluster(r -> r.clusterName(target.cluster()));
            }
            services.add(service(target, config.kmsKeyId(), vpc, subnet, securityGroup, releasePrefix));
        }

        String table = environment.get(Env.TABLE_NAME);
        if (table != null) {
            dynamo.createTable(r -> r.tableName(table)
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE))
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S),
                            a -> a.attributeName("sk").attributeType(ScalarAttributeType.S))
                    .billingMode("PAY_PER_REQUEST"));
            dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(t -> t.attributeName("expiresAt").enabled(true)));
        }

        String topicArn = environment.get(Env.TOPIC_ARN);
        String queueUrl = null;
        if (topicArn != null) {
            String created = sns.createTopic(r -> r.name(topicArn.substring(topicArn.lastIndexOf(':') + 1))).topicArn();
            if (!created.equals(topicArn)) {
                throw new IllegalStateException("the emulator named the topic " + created + ", the functions expect " + topicArn);
            }
            queueUrl = sqs.createQueue(r -> r.queueName(NOTIFICATIONS_QUEUE)).queueUrl();
            String queue = queueUrl;
            String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queue).attributeNamesWithStrings("QueueArn"))
                    .attributesAsStrings().get("QueueArn");
            sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queueArn)
                    .attributes(Map.of("RawMessageDelivery", "true")));
        }
        String bus = environment.get(Env.EVENT_BUS_NAME);
        if (bus != null && !bus.equals("default")) {
            events.createEventBus(r -> r.name(bus));
        }

        List<String> stateMachineArns = new ArrayList<>();
        for (PipelineTemplate.StateMachineSpec machine : template.stateMachines()) {
            stateMachineArns.add(sfn.createStateMachine(r -> r.name(machine.name())
                    .definition(machine.definitionText())
                    .roleArn("arn:aws:iam::" + ACCOUNT + ":role/" + machine.name())).stateMachineArn());
        }
        String stateMachineArn = stateMachineArns.get(0);

        return new StackOutputs(stateMachineArn, configParameter, config, table, topicArn, queueUrl, releasePrefix,
                template.eventPatterns(), services, stateMachineArns.size() > 1 ? stateMachineArns.get(1) : null);
    }

    /**
     * Pushes an image manifest to a repository under {@code tag} (none when null or empty: an untagged
     * push). Without a digest the manifest
     * decides it (as ECR does); with one, the image gets that digest (an event's image). Pushing
     * an image that is already there changes nothing. A new image in a repository with scan on
     * push gets its scan started, as ECR does (moto's scan then completes at once with one HIGH finding).
     */
    public String pushImage(String repository, String tag, String digest) {
        if (digest != null) {
            try {
                return ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest)))
                        .imageDetails().get(0).imageDigest();
            } catch (ImageNotFoundException notYet) {
                // pushed below
            }
        }
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"sha256:%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,"digest":"sha256:%s"}]}"""
                .formatted(sha256(String.valueOf(tag)), sha256("layer " + tag + (digest == null ? "" : " " + digest)));
        boolean tagged = tag != null && !tag.isEmpty();
        try {
            String pushed = ecr.putImage(r -> r.repositoryName(repository).imageManifest(manifest)
                            .imageTag(tagged ? tag : null).imageDigest(digest))
                    .image().imageId().imageDigest();
            boolean scanOnPush = ecr.describeRepositories(r -> r.repositoryNames(repository)).repositories().get(0)
                    .imageScanningConfiguration().scanOnPush();
            if (scanOnPush) {
                ecr.startImageScan(r -> r.repositoryName(repository).imageId(i -> i.imageDigest(pushed)));
            }
            return pushed;
        } catch (ImageAlreadyExistsException already) {
            return ecr.describeImages(r -> r.repositoryName(repository)
                            .imageIds(i -> i.imageTag(tagged ? tag : null).imageDigest(tagged ? null : digest)))
                    .imageDetails().get(0).imageDigest();
        }
    }

    private StackOutputs.Service service(Target target, String kmsKeyId, String vpc, String subnet, String securityGroup,
                                  String releasePrefix) {
        String targetGroup = elb.createTargetGroup(r -> r.name(target.service()).protocol("HTTP").port(8080)
                .vpcId(vpc).targetType("ip").healthCheckPath("/health")).targetGroups().get(0).targetGroupArn();
        String repositoryUri = ecr.createRepository(r -> r.repositoryName(target.repository())
                .imageScanningConfiguration(s -> s.scanOnPush(true))).repository().repositoryUri();
        String digest = pushImage(target.repository(), INITIAL_TAG, null);
        pushImage(target.repository(), NEXT_TAG, null);
        String image = repositoryUri + "@" + digest;

        List<Secret> secrets = new ArrayList<>();
        List<KeyValuePair> environment = new ArrayList<>();
        environment.add(KeyValuePair.builder().name("PORT").value("8080").build());
        for (SecretSpec spec : target.secrets()) {
            String slot = spec.slotParameter(Slots.A);
            SecretValue value = RandomValues.next(spec.length());
            if (spec.kind() == SecretSpec.Kind.POSTGRES) {
                String role = SecretRotator.roleName(spec, Slots.A);
                new PostgresRoles().rotate(spec.postgres(), database.master(), null, role, value);
                environment.add(KeyValuePair.builder().name(spec.postgres().usernameEnv()).value(role).build());
            }
            ssm.putParameter(r -> r.name(slot).type(ParameterType.SECURE_STRING).keyId(kmsKeyId).value(value.reveal()));
            secrets.add(Secret.builder().name(spec.name()).valueFrom(slot).build());
        }
        String taskDefinition = ecs.registerTaskDefinition(r -> r.family(target.service())
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu("256").memory("512")
                        .executionRoleArn("arn:aws:iam::" + ACCOUNT + ":role/" + target.service() + "-execution")
                        .taskRoleArn("arn:aws:iam::" + ACCOUNT + ":role/" + target.service() + "-task")
                        .containerDefinitions(ContainerDefinition.builder()
                                .name(target.container())
                                .image(image)
                                .essential(true)
                                .portMappings(p -> p.containerPort(8080))
                                .environment(environment)
                                .secrets(secrets)
                                .build()))
                .taskDefinition().taskDefinitionArn();
        ecs.createService(r -> r.cluster(target.cluster()).serviceName(target.service()).taskDefinition(taskDefinition)
                .desiredCount(2).launchType(LaunchType.FARGATE)
                .loadBalancers(lb -> lb.targetGroupArn(targetGroup).containerName(target.container()).containerPort(8080))
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnet)
                        .securityGroups(securityGroup).assignPublicIp(AssignPublicIp.DISABLED)))
                .deploymentConfiguration(d -> d.maximumPercent(200).minimumHealthyPercent(100)
                        .deploymentCircuitBreaker(cb -> cb.enable(true).rollback(true))));
        if (releasePrefix != null) {
            String path = releasePrefix + "/" + target.cluster() + "/" + target.service();
            ssm.putParameter(r -> r.name(path + "/image").type(ParameterType.STRING).value(image));
            for (Secret secret : secrets) {
                ssm.putParameter(r -> r.name(path + "/secret/" + secret.name()).type(ParameterType.STRING).value(secret.valueFrom()));
            }
        }
        String alternate = !target.strategy().shiftsTraffic() ? null
                : elb.createTargetGroup(r -> r.name(target.service() + "-alternate").protocol("HTTP").port(8080)
                        .vpcId(vpc).targetType("ip").healthCheckPath("/health")).targetGroups().get(0).targetGroupArn();
        return new StackOutputs.Service(target, repositoryUri, digest, taskDefinition, targetGroup, target.health().smokeUrl(),
                alternate);
    }

    /**
     * The embedded PostgreSQL for the configuration's postgres secrets, fresh: started, or reset
     * when it runs already; each secret's database and base role, and its master credentials in
     * the emulator.
     */
    private void prepareDatabase(List<SecretSpec> databaseSecrets) {
        if (database == null) {
            database = LocalDatabase.start();
        } else {
            database.reset();
        }
        Set<String> masters = new HashSet<>();
        for (SecretSpec spec : databaseSecrets) {
            database.provision(spec.postgres().database(), spec.postgres().role());
            if (masters.add(spec.postgres().masterParameter())) {
                writeMaster(spec.postgres().masterParameter(), database.master());
            }
        }
    }

    /** The master credentials as the template stores them: a Secrets Manager secret read through Parameter Store's reference path, else a SecureString. */
    private void writeMaster(String parameter, MasterCredentials master) {
        String document = MasterCredentialsJson.document(master);
        if (parameter.startsWith(SECRETS_MANAGER_REFERENCE)) {
            secretsManager.createSecret(r -> r.name(parameter.substring(SECRETS_MANAGER_REFERENCE.length()))
                    .description("PostgreSQL master credentials (local runtime)").secretString(document));
        } else {
            ssm.putParameter(r -> r.name(parameter).type(ParameterType.SECURE_STRING).value(document));
        }
    }

    /**
     * The template's document with each target's smoke URL set to the simulator and postgres
     * secrets aimed at the embedded server.
     */
    private String localConfig(String document) {
        JsonNode root = Json.tree(document);
        for (JsonNode target : root.path("targets")) {
            if (!(target instanceof ObjectNode t)) {
                continue;
            }
            for (JsonNode secret : t.path("secrets")) {
                if (secret instanceof ObjectNode s && "postgres".equalsIgnoreCase(s.path("kind").asText())) {
                    s.put("host", database.host());
                    s.put("port", database.port());
                }
            }
            ObjectNode health = t.has("health") && t.get("health").isObject() ? (ObjectNode) t.get("health") : t.putObject("health");
            if (!health.hasNonNull("smokeUrl")) {
                health.put("smokeUrl", smokeBase + t.path("cluster").asText() + "/" + t.path("service").asText());
            }
            if (t.path("strategy") instanceof ObjectNode strategy && strategy.has("testUrl")) {
                strategy.put("testUrl", smokeBase.toString().replace(dev.pushdeploy.local.ecs.EcsSimulator.SMOKE_PATH,
                        dev.pushdeploy.local.ecs.EcsSimulator.TEST_PATH) + t.path("cluster").asText() + "/" + t.path("service").asText());
            }
        }
        return root.toString();
    }

    /** The document with the targets of the other evaluations appended. */
    private static String withTargetsOf(String document, List<PipelineTemplate> moreServices) {
        if (moreServices.isEmpty()) {
            return document;
        }
        ObjectNode root = (ObjectNode) Json.tree(document);
        com.fasterxml.jackson.databind.node.ArrayNode targets = (com.fasterxml.jackson.databind.node.ArrayNode) root.path("targets");
        for (PipelineTemplate other : moreServices) {
            Json.tree(other.configDocument().orElseThrow()).path("targets").forEach(targets::add);
        }
        return root.toString();
    }

    private static Map<String, String> environment(PipelineTemplate template) {
        Map<String, String> merged = new java.util.HashMap<>();
        for (FunctionSpec f : template.functions()) {
            merged.putAll(f.environment());
        }
        return merged;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The embedded PostgreSQL, once a configuration with postgres secrets started it. */
    public java.util.Optional<LocalDatabase> database() {
        return java.util.Optional.ofNullable(database);
    }

    /** Stops the embedded PostgreSQL, if one was started. */
    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
    }
}
