package dev.pushdeploy.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.template.Permissions.Permission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A role's identity policies evaluated by @cloud-copilot/iam-simulate, an IAM evaluator written elsewhere (its actions,
 * resource types and condition keys from AWS's Service Authorization Reference): Deny, conditions and IAM's matching
 * as IAM applies them, and a request refused when its resource is not one the action authorizes on (an action without
 * resource types takes "*" only). Installed from npm with the lockfile in {@code src/test/iam-simulate}.
 */
final class IamSimulator {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where AWS authorizes otherwise than the Service Authorization Reference (the simulator's data) says, with the
     * evidence; these are checked by {@link Iam} alone.
     */
    static final Map<String, String> UNLIKE_THE_REFERENCE = Map.of("states:SendTaskSuccess",
            "the reference lists no resource type (Resource \"*\" only), yet IAM authorizes it on the state machine whose"
                    + " execution issued the token: an AccessDenied names that state machine as the resource, and aws-cdk#8486"
                    + " found a grant on the state machine enough; the template grants it on its deploy state machine");

    private IamSimulator() {
    }

    /**
     * What IAM answers {@code role} for each permission: Allowed, ImplicitlyDenied, ExplicitlyDenied, or the simulator's
     * refusal of the request ("error: ..."), also when it leaves a context key of the request out (it matches variable
     * keys delimited by '/' only, so not KMS's kms:EncryptionContext:<key>). A permission without a resource is asked on "*".
     */
    static Map<Permission, String> evaluate(String role, List<JsonNode> documents, List<Permission> permissions) throws Exception {
        return evaluate(role, documents, permissions, Map.of());
    }

    /**
     * {@link #evaluate(String, List, List)} with the resources' own policies by ARN (a KMS key's policy: KMS grants nothing
     * through an identity policy unless the key's policy lets IAM decide).
     */
    static Map<Permission, String> evaluate(String role, List<JsonNode> documents, List<Permission> permissions,
                                            Map<String, JsonNode> resourcePolicies) throws Exception {
        NpmTool tool = NpmTool.install("iam-simulate");
        ObjectNode input = JSON.createObjectNode();
        input.put("principal", "arn:aws:iam::" + Emulator.ACCOUNT + ":role/" + role);
        input.put("account", Emulator.ACCOUNT);
        ArrayNode policies = input.putArray("policies");
        for (int i = 0; i < documents.size(); i++) {
            policies.addObject().put("name", role + "-" + i).set("policy", documents.get(i));
        }
        ArrayNode requests = input.putArray("requests");
        for (Permission permission : permissions) {
            ObjectNode request = requests.addObject().put("action", permission.action())
                    .put("resource", permission.resource() == null ? "*" : permission.resource());
            permission.context().forEach(request.putObject("context")::put);
            if (permission.resource() != null && resourcePolicies.containsKey(permission.resource())) {
                request.set("resourcePolicy", resourcePolicies.get(permission.resource()));
            }
        }
        Path file = Files.createTempFile(Path.of("target").toAbsolutePath(), "iam-simulate-", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(input));
            NpmTool.Result result = tool.run(List.of("node", "evaluate.mjs", file.toString()), "node (Node.js) is not installed");
            if (result.exitCode() != 0) {
                throw new IllegalStateException("iam-simulate failed: " + result.output());
            }
            JsonNode answers = JSON.readTree(result.output());
            Map<Permission, String> verdicts = new LinkedHashMap<>();
            for (int i = 0; i < permissions.size(); i++) {
                JsonNode answer = answers.get(i);
                JsonNode ignored = answer.path("ignored");
                verdicts.put(permissions.get(i), answer.has("error") ? "error: " + answer.get("error").asText()
                        : !ignored.isEmpty() ? "error: context keys it ignores: " + ignored : answer.get("result").asText());
            }
            return verdicts;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The permissions {@code verdicts} and {@link Iam}'s own matching of {@code statements} answer differently. */
    static List<String> disagreements(List<Iam.Statement> statements, Map<Permission, String> verdicts) {
        List<String> differ = new ArrayList<>();
        verdicts.forEach((permission, verdict) -> {
            if (UNLIKE_THE_REFERENCE.containsKey(permission.action())) {
                return;
            }
            boolean ours = Iam.allows(statements, permission.action(), permission.resource());
            if (verdict.startsWith("error") || ours != verdict.equals("Allowed")) {
                differ.add(permission + ": Iam " + (ours ? "allows" : "denies") + ", iam-simulate " + verdict);
            }
        });
        return differ;
    }
}
