package dev.pushdeploy.request;

import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.DeployRequest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.ConfigParser;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.rollout.AlarmStates;
import dev.pushdeploy.adapter.json.InputParser;
import dev.pushdeploy.ledger.InMemoryLedger;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.release.InMemoryTaskDefinitions;
import dev.pushdeploy.rollout.FakeEcsServices;
import dev.pushdeploy.testing.SampleStack;
import java.time.Instant;
import java.util.Map;

/**
 * The sample stack (as the integration tests create it in the emulator), in memory: repository web with v1.0.0 (live in web:1) and
 * v1.1.0, a task definition of another family, the default configuration.
 */
final class PrepareFixture {
    static final String URI = FakeRegistry.REGISTRY + "/web";
    static final String LIVE_DIGEST = "sha256:" + SampleStack.sha256("live");
    static final String NEW_DIGEST = "sha256:" + SampleStack.sha256("new");
    static final String UNKNOWN_DIGEST = "sha256:" + SampleStack.sha256("unknown");
    static final Instant LIVE_PUSHED = Instant.parse("2025-01-01T10:00:00Z");
    static final Instant NEW_PUSHED = Instant.parse("2025-01-02T10:00:00Z");
    static final Instant NOW = Instant.parse("2025-01-02T10:00:05Z");
    /** When the execution started: the history key of its request. */
    static final Instant STARTED = Instant.parse("2025-01-02T10:00:01.250Z");
    static final String STATE_MACHINE = "arn:aws:states:us-east-1:123456789012:execution:pushdeploy-deploy:";
    /** The configuration document's version in Parameter Store, which every request names. */
    static final long CONFIG_VERSION = 4;
    static final Map<String, String> SECRETS = Map.of("APP_SIGNING_KEY", SampleStack.SIGNING_KEY_PARAMETER + "/a");

    final FakeRegistry registry = new FakeRegistry();
    final InMemoryTaskDefinitions taskDefinitions = new InMemoryTaskDefinitions();
    final FakeEcsServices services;
    final InMemoryLedger ledger = new InMemoryLedger();
    final MutableClock clock = new MutableClock(NOW);
    final String liveArn;
    final String otherFamilyArn;
    private final String configDocument;

    PrepareFixture() {
        this(SampleStack.configDocument(null));
    }

    PrepareFixture(String configDocument) {
        this.configDocument = configDocument;
        registry.repository("web")
                .image("web", LIVE_DIGEST, "v1.0.0", LIVE_PUSHED)
                .image("web", NEW_DIGEST, "v1.1.0", NEW_PUSHED);
        liveArn = taskDefinitions.add("web", "app", URI + "@" + LIVE_DIGEST, SECRETS);
        otherFamilyArn = taskDefinitions.add("other", "app", URI + "@" + LIVE_DIGEST, Map.of());
        services = new FakeEcsServices("pushdeploy", "web", liveArn, true);
    }

    /** Alarm names CloudWatch does not know; every other name it describes as OK. */
    final java.util.Set<String> missingAlarms = new java.util.HashSet<>();
    /** Execution ARN → the text it was started with. */
    final Map<String, String> inputs = new java.util.HashMap<>();
    /** Slot parameters Parameter Store no longer holds; every other it holds. */
    final java.util.Set<String> deletedParameters = new java.util.HashSet<>();
    /** The names Prepare asked Parameter Store about, call by call. */
    final java.util.List<java.util.List<String>> parameterQuestions = new java.util.ArrayList<>();

    Preparer preparer() {
        return new Preparer(ConfigSource.of(ConfigParser.parse(configDocument).withVersion(CONFIG_VERSION)),
                arn -> InputParser.intent(inputs.get(arn), Pipeline.ofExecution(arn)), registry, services, taskDefinitions, ledger,
                names -> names.stream().filter(name -> !missingAlarms.contains(name))
                        .map(name -> new AlarmStates.AlarmState(name, "OK", null, 0)).toList(),
                names -> {
                    parameterQuestions.add(names);
                    return names.stream().filter(deletedParameters::contains).toList();
                }, clock);
    }

    DeployRequest prepare(String json) {
        return prepare(json, "exec-1");
    }

    /** Starts an execution named {@code executionName} with {@code text} as its input, and prepares it. */
    DeployRequest prepare(String text, String executionName) {
        String arn = STATE_MACHINE + executionName;
        inputs.put(arn, text);
        return preparer().prepare(new Preparer.Execution(arn, executionName, STARTED.toString()));
    }

    /** An ECR push event as EventBridge delivers it. */
    static String push(String tag, String digest) {
        return push("web", tag, digest, "PUSH", "SUCCESS");
    }

    static String push(String repository, String tag, String digest, String actionType, String result) {
        return pushAt(repository, tag, digest, actionType, result, "2025-01-02T10:00:00Z");
    }

    /** An ECR push event whose {@code time} is {@code time} (null: none). */
    static String pushAt(String repository, String tag, String digest, String actionType, String result, String time) {
        JsonNode event = Trees.tree("""
                {"version":"0","id":"13cde686-328b-6117-af20-0e5566167482","detail-type":"ECR Image Action",
                 "source":"aws.ecr","account":"123456789012","time":"2025-01-02T10:00:00Z","region":"us-east-1",
                 "resources":[],"detail":{}}""");
        if (time == null) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) event).remove("time");
        } else {
            ((com.fasterxml.jackson.databind.node.ObjectNode) event).put("time", time);
        }
        var detail = (com.fasterxml.jackson.databind.node.ObjectNode) event.get("detail");
        detail.put("result", result).put("repository-name", repository).put("image-digest", digest).put("action-type", actionType);
        if (tag != null) {
            detail.put("image-tag", tag);
        }
        return event.toString();
    }

    /** A manual rollback of the sample service to {@code to} (a revision's ARN or name, or {@code previous}). */
    static String rollbackTo(String to) {
        return "{\"action\":\"rollback\",\"service\":\"pushdeploy/web\",\"to\":\"" + to + "\"}";
    }
}
