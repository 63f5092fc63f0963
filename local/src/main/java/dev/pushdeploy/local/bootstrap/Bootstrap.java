package dev.pushdeploy.local.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.adapter.json.ImageIndexes;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.adapter.postgres.PostgresRoles;
import dev.pushdeploy.config.PipelineConfig;
import dev.pushdeploy.config.SecretSpec;
import dev.pushdeploy.config.Target;
import dev.pushdeploy.handler.Env;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.db.LocalDatabase;
import dev.pushdeploy.local.ecs.EcsSimulator;
import dev.pushdeploy.local.events.RuleSpec;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.secrets.MasterCredentials;
import dev.pushdeploy.secrets.RandomValues;
import dev.pushdeploy.secrets.SecretRotator;
import dev.pushdeploy.secrets.SecretValue;
import dev.pushdeploy.secrets.Slots;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Stands up the local stack the way the README's "Deploying to AWS" does on AWS, from
 * {@code template.yaml} expanded by aws-sam-translator ({@link LocalCloudFormation}):
 * <ol>
 *   <li>the stack is created (its custom resource creates the release parameters with {@code none},
 *       its nested stack reads them): the service with zero tasks on its bootstrap revision;</li>
 *   <li>images {@value #INITIAL_TAG} and {@value #NEXT_TAG} are pushed to every configured
 *       repository ({@value #NEXT_TAG} is what the sample events and manual inputs name);</li>
 *   <li>the first release: slot {@code a} of every managed secret, and the release parameters the
 *       template puts into the service's container (its image, each secret's {@code ValueFrom})
 *       pointed at {@value #INITIAL_TAG} and those slots;</li>
 *   <li>the stack is deployed again: a new revision with that image and those slots, the service
 *       at its desired count.</li>
 * </ol>
 * Without a release ({@link #create(PipelineTemplate.LocalTemplate, boolean)}) it stops after step 2, as the README
 * has it now: the service runs the stack's bootstrap revision with no task, and the first push of a matching tag
 * is the first release, made by the workflow.
 *
 * <p>What the local runtime plays itself: an embedded PostgreSQL ({@link LocalDatabase}) is the
 * RDS instance, with the master login CloudFormation would give it (the master secret's, through
 * the instance's dynamic references) and its database; for every postgres secret the base role
 * owns a sample table, and slot {@code a} is made by the real rotation ({@link PostgresRoles}):
 * role {@code <role>_a} with the slot's password, as a first release leaves it. The configuration
 * document is the template's with local changes: each target's smoke check points at the
 * simulator's smoke URL (so the bad-smoke scenario can fail it), the test listener URL of a
 * traffic-shifting strategy at the simulator's test listener. The rollout deadline stays the
 * template's: time is simulated, waiting for it costs no wall time. An SQS queue subscribed to the
 * notification topic lets the notifications be read back.
 */
public final class Bootstrap implements AutoCloseable, ResourceProvisioner.LocalParts {
    /** The tag of the first image, live after the first release of every service. */
    public static final String INITIAL_TAG = "v1.0.0";
    /** A newer build already in the repository, not deployed: the image the sample events and manual inputs name. */
    public static final String NEXT_TAG = "v1.1.0";
    static final String NOTIFICATIONS_QUEUE = "pushdeploy-local-notifications";
    /** The platforms a multi-platform push builds, as {@code os/architecture}. */
    public static final List<String> PLATFORMS = List.of("linux/amd64", "linux/arm64");
    /** Value of every release parameter while the template is read for where the first release goes. */
    private static final String RELEASE_MARKER = "release-parameter:";

    private final URI smokeBase;
    private final EcrClient ecr;
    private final SsmClient ssm;
    private final EcsClient ecs;
    private final SnsClient sns;
    private final SqsClient sqs;
    private final EventBridgeClient events;
    private final LocalCloudFormation cloudFormation;
    private LocalDatabase database;
    private String configParameter;

    /** Told of each scan a push starts (the local runtime's ECR scans take time and send ECR's event). */
    @FunctionalInterface
    public interface ScanStarts {
        void started(String registryId, String repository, String digest, List<String> tags);
    }

    private volatile ScanStarts scanStarted = (registryId, repository, digest, tags) -> { };

    /** Where the scans pushes start are reported. */
    public void onScanStarted(ScanStarts listener) {
        this.scanStarted = listener;
    }

    /**
     * A bootstrap whose custom resources run their functions in a Lambda runtime of its own.
     *
     * @param moto      the emulator
     * @param smokeBase base URL of the simulator's smoke endpoint ({@code .../pushdeploy-local/smoke/})
     */
    public Bootstrap(URI moto, URI smokeBase) {
        this(moto, smokeBase, new LambdaRuntime(List.of(), System.err::println, Clock.systemUTC()));
    }

    /**
     * @param moto      the emulator
     * @param smokeBase base URL of the simulator's smoke endpoint ({@code .../pushdeploy-local/smoke/})
     * @param lambdas   where the functions that provide the template's custom resources run (each
     *                  deployed there as the stack has it when its custom resource's turn comes)
     */
    public Bootstrap(URI moto, URI smokeBase, LambdaRuntime lambdas) {
        this.smokeBase = smokeBase;
        Clients clients = new Clients(moto);
        ecr = clients.build(EcrClient.builder());
        ssm = clients.build(SsmClient.builder());
        ecs = clients.build(EcsClient.builder());
        sns = clients.build(SnsClient.builder());
        sqs = clients.build(SqsClient.builder());
        events = clients.build(EventBridgeClient.builder());
        cloudFormation = new LocalCloudFormation(new ResourceProvisioner(clients, this), new CustomResources((function, payload) -> {
            lambdas.deploy(function);
            return lambdas.invoke(function.name(), payload);
        }));
    }

    /** Creates the stack of {@code template} and its first release in an empty emulator. */
    public StackOutputs create(PipelineTemplate.LocalTemplate template) {
        return create(template, true);
    }

    /**
     * Creates the stack of {@code template} in an empty emulator, with its first release made by hand when
     * {@code release}; otherwise every service runs the stack's bootstrap revision with no task (its images pushed,
     * none deployed), and the release parameters stay {@code none}.
     */
    public StackOutputs create(PipelineTemplate.LocalTemplate template, boolean release) {
        cloudFormation.reset();
        if (database != null) {
            database.reset();
        }
        configParameter = template.beforeFirstRelease().configParameterName();
        PipelineTemplate stack = cloudFormation.deploy(template, this::parameter);
        PipelineConfig config = ConfigParser.parse(parameter(configParameter).orElseThrow(() ->
                new IllegalStateException("template.yaml declares no parameter named " + configParameter)));
        Map<Target, String> digests = new LinkedHashMap<>();
        for (Target target : config.targets()) {
            digests.put(target, pushImage(target.repository(), INITIAL_TAG, null));
            pushImage(target.repository(), NEXT_TAG, null);
        }
        if (release) {
            firstRelease(template, config, digests);
            stack = cloudFormation.deploy(template, this::parameter);
        } else {
            provisionDatabases(config);
        }
        return outputs(stack, config, digests, release);
    }

    /**
     * The stack as the next {@code sam deploy} would make it: {@code template} evaluated with the release parameters
     * CloudFormation would read from the emulator now, the deployed resources' ids; nothing is deployed.
     */
    public Deployment resolve(PipelineTemplate.LocalTemplate template) {
        return template.deploy(this::parameter, cloudFormation).deployment();
    }

    /**
     * Pushes an image manifest to a repository under {@code tag} (none when null or empty: an untagged
     * push). Without a digest the manifest
     * decides it (as ECR does); with one, the image gets that digest (an event's image). Pushing
     * an image that is already there changes nothing; a tag that is there already with another
     * digest fails (the template's repositories have immutable tags). A new image in a repository with scan on
     * push gets its scan started, as ECR does, and {@link #onScanStarted the scans} are told (moto's scan has its
     * one HIGH finding at once).
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
                var scan = ecr.startImageScan(r -> r.repositoryName(repository).imageId(i -> i.imageDigest(pushed)));
                scanStarted.started(scan.registryId(), repository, pushed, tagged ? List.of(tag) : List.of());
            }
            return pushed;
        } catch (ImageAlreadyExistsException already) {
            return tagged ? taggedAlready(repository, tag, digest).orElseThrow()
                    : ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageDigest(digest)))
                            .imageDetails().get(0).imageDigest();
        }
    }

    /** The image {@code tag} names already, if any; one with another digest than {@code digest} (when given) is refused. */
    private Optional<String> taggedAlready(String repository, String tag, String digest) {
        String existing;
        try {
            existing = ecr.describeImages(r -> r.repositoryName(repository).imageIds(i -> i.imageTag(tag)))
                    .imageDetails().get(0).imageDigest();
        } catch (ImageNotFoundException none) {
            return Optional.empty();
        }
        if (digest != null && !digest.equals(existing)) {
            throw new IllegalArgumentException("cannot push " + repository + ":" + tag + " as " + digest + ": the tag is "
                    + existing + " already and the repository's tags are immutable");
        }
        return Optional.of(existing);
    }

    /**
     * Pushes a multi-platform image as {@code docker buildx build --platform linux/amd64,linux/arm64 --push} does:
     * each platform's image first (untagged, each scanned on push by a repository that scans on push), then the OCI
     * image index naming them and BuildKit's provenance attestation of each, tagged. ECR scans no index: the index's
     * digest has no scan. Returns the index's digest ({@code digest} when given, as a push event reports it). A tag
     * that is there already is refused with another digest, before anything is pushed, and changes nothing with its own.
     */
    public String pushIndex(String repository, String tag, String digest) {
        Optional<String> already = taggedAlready(repository, tag, digest);
        if (already.isPresent()) {
            return already.get();
        }
        List<String> images = new ArrayList<>();
        for (String platform : PLATFORMS) {
            images.add(pushImage(repository, null, "sha256:" + sha256(platform + " image of " + tag + " " + digest)));
        }
        String index = indexManifest(images, PLATFORMS);
        String indexDigest = digest != null ? digest : "sha256:" + sha256(index);
        try {
            ecr.putImage(r -> r.repositoryName(repository).imageManifest(index).imageTag(tag).imageDigest(indexDigest));
            return indexDigest;
        } catch (ImageAlreadyExistsException pushedMeanwhile) {
            return taggedAlready(repository, tag, digest).orElseThrow();
        }
    }

    /**
     * An OCI image index as BuildKit writes it for a multi-platform build with provenance: each platform's image
     * manifest, then an attestation manifest per image (platform unknown/unknown, annotated with the image it attests).
     */
    public static String indexManifest(List<String> images, List<String> platforms) {
        ObjectNode index = Json.object();
        index.put("schemaVersion", 2);
        index.put("mediaType", ImageIndexes.OCI_INDEX);
        var manifests = index.putArray("manifests");
        for (int i = 0; i < images.size(); i++) {
            String[] platform = platforms.get(i).split("/");
            ObjectNode entry = manifests.addObject().put("mediaType", ImageIndexes.OCI_MANIFEST)
                    .put("digest", images.get(i)).put("size", 673);
            entry.putObject("platform").put("architecture", platform[1]).put("os", platform[0]);
        }
        for (String image : images) {
            ObjectNode entry = manifests.addObject().put("mediaType", ImageIndexes.OCI_MANIFEST)
                    .put("digest", "sha256:" + sha256("attestation of " + image)).put("size", 566);
            entry.putObject("annotations").put("vnd.docker.reference.digest", image)
                    .put("vnd.docker.reference.type", "attestation-manifest");
            entry.putObject("platform").put("architecture", "unknown").put("os", "unknown");
        }
        return index.toString();
    }

    /**
     * The first release made by hand: slot {@code a} of every managed secret, and the release parameters pointed at
     * the first image and those slots. Which release parameter goes where is read from the template:
     * evaluated with every release parameter holding a marker, each service's container shows the
     * parameter its image comes from and the parameter each secret's slot comes from.
     */
    private void firstRelease(PipelineTemplate.LocalTemplate template, PipelineConfig config, Map<Target, String> digests) {
        Deployment marked = template.deploy(name -> Optional.of(RELEASE_MARKER + name), cloudFormation).deployment();
        for (String service : marked.template().resources("AWS::ECS::Service").keySet()) {
            if (!marked.exists(service)) {
                continue;
            }
            JsonNode properties = marked.properties(service);
            String cluster = properties.path("Cluster").asText();
            Optional<Target> target = config.forService(cluster.substring(cluster.lastIndexOf('/') + 1), marked.getAtt(service, "Name"));
            if (target.isEmpty()) {
                continue;
            }
            String taskDefinition = marked.template().properties(service).path("TaskDefinition").path("Ref").asText();
            JsonNode container = null;
            for (JsonNode c : marked.properties(taskDefinition).path("ContainerDefinitions")) {
                if (c.path("Name").asText().equals(target.get().container())) {
                    container = c;
                }
            }
            if (container == null) {
                throw new IllegalStateException(taskDefinition + " has no container " + target.get().container());
            }
            Map<String, String> slots = slotsA(target.get());
            release(container.path("Image").asText(), ecr.describeRepositories(r -> r.repositoryNames(target.get().repository()))
                    .repositories().get(0).repositoryUri() + "@" + digests.get(target.get()));
            for (JsonNode secret : container.path("Secrets")) {
                String slot = slots.get(secret.path("Name").asText());
                if (slot != null) {
                    release(secret.path("ValueFrom").asText(), slot);
                }
            }
        }
    }

    private void release(String marked, String value) {
        if (marked.startsWith(RELEASE_MARKER)) {
            ssm.putParameter(r -> r.name(marked.substring(RELEASE_MARKER.length())).type(ParameterType.STRING)
                    .value(value).overwrite(true));
        }
    }

    /** Slot {@code a} of each of the target's secrets (postgres: role {@code <role>_a} with that password); name → slot parameter. */
    private Map<String, String> slotsA(Target target) {
        Map<String, String> slots = new HashMap<>();
        for (SecretSpec spec : target.secrets()) {
            String slot = spec.slotParameter(Slots.A);
            SecretValue value = RandomValues.next(spec.length());
            if (spec.kind() == SecretSpec.Kind.POSTGRES) {
                startedDatabase().provision(spec.postgres().database(), spec.postgres().role());
                new PostgresRoles().rotate(spec.postgres(), startedDatabase().master(), null, SecretRotator.roleName(spec, Slots.A), value);
            }
            ssm.putParameter(r -> r.name(slot).type(ParameterType.SECURE_STRING).keyId(configKey()).value(value.reveal()));
            slots.put(spec.name(), slot);
        }
        return slots;
    }

    /** The application's database objects (its base role, a sample table) for every postgres secret, no slot written. */
    private void provisionDatabases(PipelineConfig config) {
        for (Target target : config.targets()) {
            for (SecretSpec spec : target.secrets()) {
                if (spec.kind() == SecretSpec.Kind.POSTGRES) {
                    startedDatabase().provision(spec.postgres().database(), spec.postgres().role());
                }
            }
        }
    }

    private String configKey() {
        return ConfigParser.parse(parameter(configParameter).orElseThrow()).kmsKeyId();
    }

    private StackOutputs outputs(PipelineTemplate stack, PipelineConfig config, Map<Target, String> digests, boolean released) {
        Map<String, String> environment = new HashMap<>();
        stack.functions().forEach(f -> environment.putAll(f.environment()));
        String topicArn = environment.get(Env.TOPIC_ARN);
        String queueUrl = null;
        if (topicArn != null) {
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
        List<StackOutputs.Service> services = new ArrayList<>();
        for (Target target : config.targets()) {
            var service = ecs.describeServices(r -> r.cluster(target.cluster()).services(target.service())).services().get(0);
            String image = ecs.describeTaskDefinition(r -> r.taskDefinition(service.taskDefinition())).taskDefinition()
                    .containerDefinitions().stream().filter(c -> c.name().equals(target.container())).findFirst()
                    .map(ContainerDefinition::image).orElse(null);
            String repositoryUri = ecr.describeRepositories(r -> r.repositoryNames(target.repository())).repositories().get(0).repositoryUri();
            if (released && (!(repositoryUri + "@" + digests.get(target)).equals(image) || service.desiredCount() == 0)) {
                throw new IllegalStateException("after the first release " + target.serviceKey() + " runs " + image + " with "
                        + service.desiredCount() + " tasks, not " + INITIAL_TAG + ": template.yaml no longer takes the live image"
                        + " from a release parameter the local first release can set");
            }
            if (!released && (image == null || image.contains("@") || service.desiredCount() != 0)) {
                throw new IllegalStateException("before any release " + target.serviceKey() + " runs " + image + " with "
                        + service.desiredCount() + " tasks: template.yaml no longer starts a service with no release on a"
                        + " bootstrap revision with no task");
            }
            JsonNode declared = stack.ecsService(target.cluster(), target.service()).orElseThrow(() ->
                    new IllegalStateException("template.yaml declares no service " + target.serviceKey()));
            JsonNode loadBalancer = declared.path("LoadBalancers").path(0);
            List<StackOutputs.Hook> hooks = new ArrayList<>();
            for (JsonNode hook : declared.path("DeploymentConfiguration").path("LifecycleHooks")) {
                List<String> stages = new ArrayList<>();
                hook.path("LifecycleStages").forEach(stage -> stages.add(stage.asText()));
                hooks.add(new StackOutputs.Hook(hook.path("HookTargetArn").asText(), stages));
            }
            services.add(new StackOutputs.Service(target, repositoryUri, digests.get(target), service.taskDefinition(),
                    service.loadBalancers().isEmpty() ? null : service.loadBalancers().get(0).targetGroupArn(), target.health().smokeUrl(),
                    loadBalancer.path("AdvancedConfiguration").path("AlternateTargetGroupArn").asText(null), hooks));
        }
        List<String> startWorkflow = stack.eventPatterns();
        List<String> patterns = stack.rules().stream().map(RuleSpec::pattern).filter(startWorkflow::contains).toList();
        List<String> others = stack.otherStateMachines().stream().map(m -> stack.deployment().ref(m.logicalId())).toList();
        if (others.size() > 1) {
            throw new IllegalStateException("template.yaml has more than one state machine besides the workflow: " + others);
        }
        return new StackOutputs(stack.deployment().ref(stack.stateMachine().logicalId()), configParameter, config,
                environment.get(Env.TABLE_NAME), topicArn, queueUrl, config.releaseParameterPrefix(), patterns,
                services, stack.functions(), stack.rules(), stack.deployment().outputs(), others.isEmpty() ? null : others.get(0));
    }

    @Override
    public String parameterValue(String name, String value) {
        return name.equals(configParameter) ? localConfig(value) : value;
    }

    @Override
    public URI database(String masterUsername, String masterPassword, String databaseName) {
        startedDatabase().instance(new MasterCredentials(masterUsername, SecretValue.of(masterPassword)), databaseName);
        return URI.create("postgresql://" + database.host() + ":" + database.port());
    }

    /** The embedded PostgreSQL, once the stack's database started it. */
    public Optional<LocalDatabase> database() {
        return Optional.ofNullable(database);
    }

    private LocalDatabase startedDatabase() {
        if (database == null) {
            database = LocalDatabase.start();
        }
        return database;
    }

    private Optional<String> parameter(String name) {
        try {
            return Optional.of(ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value());
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The template's document with each target's smoke URL set to the simulator, and the test
     * listener URL of a traffic-shifting strategy to the simulator's test listener.
     */
    private String localConfig(String document) {
        JsonNode root = Json.tree(document);
        for (JsonNode target : root.path("targets")) {
            if (!(target instanceof ObjectNode t)) {
                continue;
            }
            ObjectNode health = t.has("health") && t.get("health").isObject() ? (ObjectNode) t.get("health") : t.putObject("health");
            if (!health.hasNonNull("smokeUrl")) {
                health.put("smokeUrl", smokeBase + t.path("cluster").asText() + "/" + t.path("service").asText());
            }
            if (t.path("strategy") instanceof ObjectNode strategy && strategy.has("testUrl")) {
                strategy.put("testUrl", smokeBase.toString().replace(EcsSimulator.SMOKE_PATH, EcsSimulator.TEST_PATH)
                        + t.path("cluster").asText() + "/" + t.path("service").asText());
            }
        }
        return root.toString();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the embedded PostgreSQL, if one was started. */
    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
    }
}
