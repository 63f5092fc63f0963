package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.template.Permissions.Permission;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.SampleStack;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each state machine's role, as the stack evaluates it, allows what its definition (with the stack's substitutions)
 * makes Step Functions do, by {@link IamSimulator}, IAM's evaluation written elsewhere: invoke each Lambda it names,
 * DynamoDB's GetItem and PutItem and SNS's Publish of its service integrations (KMS for the encrypted topic),
 * startExecution.sync's start, follow and stop of the deployment's executions and its managed EventBridge rule (as
 * the Step Functions guide's policy for that integration lists them), KMS through DynamoDB and SNS for the table and
 * topic the stack's key encrypts; and the machine's own execution data on that key under the encryption context Step
 * Functions sets (kms:EncryptionContext:aws:states:stateMachineArn, the machine's ARN from its name), read here since
 * the simulator leaves such context keys out. moto's interpreter runs the definitions without IAM; this is where a
 * grant that names another function, table or state machine than the definition would be found.
 */
class StateMachineRolesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"StateMachine", "ReleaseStateMachine"})
    void eachStateMachinesRoleAllowsWhatItsDefinitionDoes(String machine) throws Exception {
        Deployment stack = Deployments.stack(SampleStack.secondService("api"), name -> Optional.of("none"), Deployments.names());
        JsonNode properties = stack.properties(machine);
        String definition = Files.readString(Repo.ROOT.resolve(properties.path("DefinitionS3Location").asText()));
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.path("DefinitionSubstitutions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> substitution = it.next();
            definition = definition.replace("${" + substitution.getKey() + "}", substitution.getValue().asText());
        }
        String arn = "arn:aws:states:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":stateMachine:" + properties.path("StateMachineName").asText();
        String key = stack.getAtt("Key", "Arn");
        assertEquals(key, properties.path("EncryptionConfiguration").path("KmsKeyId").asText(), "the machine's data is on the stack's key");

        String role = stack.template().properties(machine).path("RoleArn").path("Fn::GetAtt").get(0).asText();
        Set<Permission> needed = new LinkedHashSet<>();
        tasks(JSON.readTree(definition).path("States"), stack, key, needed);
        Map<String, List<String>> data = new java.util.LinkedHashMap<>(Map.of(arn, List.of("kms:GenerateDataKey", "kms:Decrypt")));
        needed.stream().filter(p -> p.action().equals("states:StartExecution"))
                .forEach(p -> data.put(p.resource(), List.of("kms:Decrypt")));
        data.forEach((owner, actions) -> actions.forEach(action -> assertTrue(encryptsItsData(Iam.documents(stack, role), action, key, owner),
                role + " may not " + action + " on " + key + " with the encryption context kms:EncryptionContext:aws:states:stateMachineArn = "
                        + owner + (owner.equals(arn) ? " (its own executions)" : " (the executions it starts and reads)"))));
        List<Permission> asked = new ArrayList<>(needed);

        Map<Permission, String> verdicts = IamSimulator.evaluate(role, Iam.documents(stack, role), asked,
                Map.of(key, stack.properties("Key").path("KeyPolicy")));

        List<String> refused = new ArrayList<>();
        verdicts.forEach((permission, verdict) -> {
            if (!verdict.equals("Allowed")) {
                refused.add(permission + ": " + verdict);
            }
        });
        System.out.println(machine + " needs " + asked);
        assertTrue(asked.stream().anyMatch(p -> p.action().equals("lambda:InvokeFunction")), machine + " invokes no function: " + asked);
        assertEquals(List.of(), refused, role + " does not allow what " + machine + " does");
    }

    /**
     * Whether a statement allows {@code action} on {@code key} when the encryption context names {@code machine}: the
     * simulator leaves kms:EncryptionContext:<key> conditions out, so this one is read here, as the statement says it
     * (an Allow of the action on the key, no condition, or StringEquals on that context key with the machine's ARN).
     */
    private static boolean encryptsItsData(List<JsonNode> documents, String action, String key, String machine) {
        for (JsonNode document : documents) {
            for (JsonNode statement : document.path("Statement")) {
                boolean allows = Iam.allow(statement).filter(st -> st.allows(action, key)).isPresent();
                JsonNode condition = statement.path("Condition");
                JsonNode named = condition.path("StringEquals").path("kms:EncryptionContext:aws:states:stateMachineArn");
                boolean names = named.isArray() ? contains(named, machine) : machine.equals(named.asText());
                if (allows && (condition.isMissingNode() || condition.size() == 1 && condition.path("StringEquals").size() == 1 && names)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(JsonNode values, String value) {
        for (JsonNode v : values) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** What the Task states of {@code states} (and of their Map and Parallel states) make Step Functions do. */
    private static void tasks(JsonNode states, Deployment stack, String key, Set<Permission> needed) {
        String prefix = "arn:aws:states:::";
        for (JsonNode state : states) {
            for (JsonNode branch : state.path("Branches")) {
                tasks(branch.path("States"), stack, key, needed);
            }
            for (String inner : List.of("Iterator", "ItemProcessor")) {
                tasks(state.path(inner).path("States"), stack, key, needed);
            }
            if (!state.path("Type").asText().equals("Task")) {
                continue;
            }
            String resource = state.path("Resource").asText();
            JsonNode parameters = state.path("Parameters");
            if (!resource.startsWith(prefix)) {
                needed.add(new Permission("lambda:InvokeFunction", resource));
                continue;
            }
            String integration = resource.substring(prefix.length());
            switch (integration) {
                case "lambda:invoke", "lambda:invoke.waitForTaskToken" ->
                        needed.add(new Permission("lambda:InvokeFunction", parameters.path("FunctionName").asText()));
                case "dynamodb:getItem", "dynamodb:putItem" -> {
                    needed.add(new Permission("dynamodb:" + Character.toUpperCase(integration.charAt(9)) + integration.substring(10),
                            "arn:aws:dynamodb:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":table/" + parameters.path("TableName").asText()));
                    needed.add(new Permission("kms:Decrypt", key, Map.of("kms:ViaService", "dynamodb." + Emulator.REGION + ".amazonaws.com")));
                }
                case "sns:publish" -> {
                    needed.add(new Permission("sns:Publish", parameters.path("TopicArn").asText()));
                    for (String action : List.of("kms:GenerateDataKey", "kms:Decrypt")) {
                        needed.add(new Permission(action, key, Map.of("kms:ViaService", "sns." + Emulator.REGION + ".amazonaws.com")));
                    }
                }
                case "states:startExecution.sync:2" -> {
                    String target = parameters.path("StateMachineArn").asText();
                    needed.add(new Permission("states:StartExecution", target));
                    String executions = target.replace(":stateMachine:", ":execution:") + ":release-shop-1-web";
                    needed.add(new Permission("states:DescribeExecution", executions));
                    needed.add(new Permission("states:StopExecution", executions));
                    String rule = "arn:aws:events:" + Emulator.REGION + ":" + Emulator.ACCOUNT
                            + ":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule";
                    for (String action : List.of("events:PutTargets", "events:PutRule", "events:DescribeRule")) {
                        needed.add(new Permission(action, rule));
                    }
                }
                default -> throw new IllegalStateException("a service integration this test does not know: " + resource
                        + "; add what IAM needs for it");
            }
        }
    }
}
