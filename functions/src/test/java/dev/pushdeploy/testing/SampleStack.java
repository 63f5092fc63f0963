package dev.pushdeploy.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names of the sample stack that the tests deploy to (cluster, service, repository, table,
 * parameters) and its configuration document. Unit tests use them with in-memory fakes; the
 * integration tests' {@code World} creates the same stack in the emulator.
 */
public class SampleStack {
    public static final String CLUSTER = "pushdeploy";
    public static final String SERVICE = "web";
    public static final String CONTAINER = "app";
    public static final String REPOSITORY = "web";
    public static final String TABLE = "pushdeploy";
    public static final String CONFIG_PARAMETER = "/pushdeploy/config";
    public static final String SIGNING_KEY_PARAMETER = "/pushdeploy/web/app-signing-key";
    public static final String KMS_KEY = "alias/aws/ssm";

    protected SampleStack() {
    }

    /** The default configuration: repository web → pushdeploy/web, container app, one random secret. */
    public static String configDocument(String scanSeverity) {
        return """
                {"kmsKeyId": "%s",
                 "targets": [{
                   "repository": "web", "cluster": "pushdeploy", "service": "web", "container": "app",
                   "tagPattern": "v\\\\d+\\\\.\\\\d+\\\\.\\\\d+",
                   "secrets": [{"name": "APP_SIGNING_KEY", "kind": "random", "parameter": "%s", "length": 48}],
                   "health": {"expectedStatus": 200, "bakeSeconds": 0, "deadlineSeconds": 600},
                   %s
                   "keepRevisions": 3}]}
                """.formatted(KMS_KEY, SIGNING_KEY_PARAMETER,
                scanSeverity == null ? "" : "\"scanSeverity\": \"" + scanSeverity + "\",");
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
