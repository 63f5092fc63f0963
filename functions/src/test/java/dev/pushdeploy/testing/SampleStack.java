package dev.pushdeploy.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The sample stack that the tests deploy to: template.yaml with its default parameters (cluster,
 * service, container, repository, parameters, the service's task size, port and rollout settings)
 * and its configuration document. Unit tests use it with in-memory fakes; the integration tests'
 * {@code World} creates the same stack in the emulator. {@code SampleStackTest} (in local/) holds
 * every value here to what the expanded template defines, so the two cannot drift apart.
 */
public class SampleStack {
    public static final String CLUSTER = "pushdeploy";
    public static final String SERVICE = "web";
    public static final String CONTAINER = "app";
    public static final String REPOSITORY = "web";
    public static final String CONFIG_PARAMETER = "/pushdeploy/config";
    public static final String SIGNING_KEY = "APP_SIGNING_KEY";
    public static final String SIGNING_KEY_PARAMETER = "/pushdeploy/web/app-signing-key";
    public static final int SIGNING_KEY_LENGTH = 48;
    public static final String RELEASE_PARAMETER_PREFIX = "/pushdeploy/release";
    /** The release parameters the service's task definition reads: its image, its signing key's slot. */
    public static final String LIVE_IMAGE_PARAMETER = liveImageParameter(SERVICE);
    public static final String LIVE_SIGNING_KEY_PARAMETER = liveSigningKeyParameter(SERVICE);
    public static final String TAG_PATTERN = "v[0-9]+[.][0-9]+[.][0-9]+";
    /** The alarms that judge the service's rollouts: its load balancer's 5xx rate and response time. */
    public static final String ERROR_RATE_ALARM = CLUSTER + "-" + SERVICE + "-5xx-rate";
    public static final String RESPONSE_TIME_ALARM = CLUSTER + "-" + SERVICE + "-response-time";
    public static final int CONTAINER_PORT = 8080;
    public static final String TASK_CPU = "256";
    public static final String TASK_MEMORY = "512";
    public static final int DESIRED_COUNT = 2;
    public static final int MAXIMUM_PERCENT = 200;
    public static final int MINIMUM_HEALTHY_PERCENT = 100;
    public static final String VPC_CIDR = "10.0.0.0/16";
    public static final String PARTITION_KEY = "pk";
    public static final String SORT_KEY = "sk";

    /** The tests' own choices where the template's value is not theirs to take (its table and KMS key are generated). */
    public static final String TABLE = "pushdeploy";
    public static final String KMS_KEY = "alias/aws/ssm";
    /** Shorter than the template's defaults, so that the tests' rollouts and revision pruning stay small. */
    public static final int DEADLINE_SECONDS = 600;
    public static final int KEEP_REVISIONS = 3;

    protected SampleStack() {
    }

    /** The release parameter of a service's live image: {@code <prefix>/<cluster>/<service>/image}. */
    public static String liveImageParameter(String service) {
        return RELEASE_PARAMETER_PREFIX + "/" + CLUSTER + "/" + service + "/image";
    }

    /** The release parameter of a service's live signing-key slot. */
    public static String liveSigningKeyParameter(String service) {
        return RELEASE_PARAMETER_PREFIX + "/" + CLUSTER + "/" + service + "/secret/" + SIGNING_KEY;
    }

    /** The template's parameters for a second service named {@code name} (its release parameters follow from the name). */
    public static Map<String, String> secondService(String name) {
        return Map.of("SecondServiceName", name);
    }

    /** The configuration document: the template's for its defaults, with the tests' choices above; {@code scanSeverity} when not null. */
    public static String configDocument(String scanSeverity) {
        return configDocument(scanSeverity, true);
    }

    /** The same, without the service's alarms when {@code alarms} is false. */
    public static String configDocument(String scanSeverity, boolean alarms) {
        String document = """
                {"kmsKeyId": "%s", "releaseParameterPrefix": "%s", "rollBackStoppedRuns": true,
                 "targets": [{
                   "repository": "%s", "cluster": "%s", "service": "%s", "container": "%s",
                   "tagPattern": "%s",
                   "secrets": [{"name": "%s", "kind": "random", "parameter": "%s", "length": %d}],
                   "health": {"expectedStatus": 200, "bakeSeconds": 0, "deadlineSeconds": %d, "alarms": ["%s", "%s"]},
                   %s
                   "desiredCount": %d, "keepRevisions": %d}]}
                """.formatted(KMS_KEY, RELEASE_PARAMETER_PREFIX, REPOSITORY, CLUSTER, SERVICE, CONTAINER, TAG_PATTERN, SIGNING_KEY, SIGNING_KEY_PARAMETER,
                SIGNING_KEY_LENGTH, DEADLINE_SECONDS, ERROR_RATE_ALARM, RESPONSE_TIME_ALARM, scanSeverity == null ? "" : "\"scanSeverity\": \"" + scanSeverity + "\",",
                DESIRED_COUNT, KEEP_REVISIONS);
        return alarms ? document : document.replace(", \"alarms\": [\"" + ERROR_RATE_ALARM + "\", \"" + RESPONSE_TIME_ALARM + "\"]", "");
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
