package dev.pushdeploy.template;

import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Stack;
import dev.pushdeploy.testing.Emulator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Deployments of template.yaml as CloudFormation would evaluate them, in the emulator's account and region. */
final class Deployments {
    static final String STACK_NAME = "pushdeploy";
    static final String KEY_ARN = "arn:aws:kms:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":key/0b8c1f6e-1111-4222-8333-944455556666";
    static final String DATABASE_HOST = "pushdeploy-db.abcdefghijkl." + Emulator.REGION + ".rds.amazonaws.com";
    static final CfnTemplate TEMPLATE = Repo.template();

    private Deployments() {
    }

    /** Physical ids of the resources the template leaves unnamed (plain placeholders unless a test binds its world). */
    static Map<String, String> bindings() {
        Map<String, String> bindings = new HashMap<>();
        bindings.put("Key", KEY_ARN.substring(KEY_ARN.lastIndexOf('/') + 1));
        bindings.put("Key.Arn", KEY_ARN);
        bindings.put("Database", "pushdeploy-db");
        bindings.put("Database.Endpoint.Address", DATABASE_HOST);
        bindings.put("Database.Endpoint.Port", "5432");
        bindings.put("DeploymentTable", "pushdeploy-DeploymentTable-1ABC");
        bindings.put("DeploymentTable.Arn", "arn:aws:dynamodb:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":table/pushdeploy-DeploymentTable-1ABC");
        bindings.put("NotificationTopic", "arn:aws:sns:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":pushdeploy-NotificationTopic-1ABC");
        bindings.put("TaskExecutionRole.Arn", "arn:aws:iam::" + Emulator.ACCOUNT + ":role/pushdeploy-TaskExecutionRole-1ABC");
        bindings.put("TaskRole.Arn", "arn:aws:iam::" + Emulator.ACCOUNT + ":role/pushdeploy-TaskRole-1ABC");
        bindings.put("LoadBalancer", "arn:aws:elasticloadbalancing:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":loadbalancer/app/pushdeploy/1abc");
        bindings.put("LoadBalancer.DNSName", "pushdeploy-1abc." + Emulator.REGION + ".elb.amazonaws.com");
        bindings.put("TargetGroup", "arn:aws:elasticloadbalancing:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":targetgroup/pushdeploy/1abc");
        bindings.put("PushRule.Arn", "arn:aws:events:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":rule/pushdeploy-PushRule-1ABC");
        bindings.put("PushDeadLetterQueue.Arn", "arn:aws:sqs:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":pushdeploy-PushDeadLetterQueue-1ABC");
        bindings.put("FunctionBasePolicy", "arn:aws:iam::" + Emulator.ACCOUNT + ":policy/pushdeploy-FunctionBasePolicy-1ABC");
        for (String function : Repo.FUNCTIONS.keySet()) {
            String arn = "arn:aws:lambda:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":function:pushdeploy-" + function + "-1ABC";
            bindings.put(function, arn.substring(arn.lastIndexOf(':') + 1));
            bindings.put(function + ".Arn", arn);
            bindings.put(function + ".Alias", arn + ":live");
        }
        return bindings;
    }

    /** A deployment whose release parameters hold {@code value} (every SSM-typed parameter answers it). */
    static Stack withRelease(Map<String, String> overrides, String value) {
        return stack(overrides, name -> Optional.of(value), bindings());
    }

    static Stack stack(Map<String, String> overrides, Function<String, Optional<String>> ssm, Map<String, String> bindings) {
        return new Stack(TEMPLATE, TEMPLATE.parameterValues(overrides, ssm), STACK_NAME, Emulator.REGION, Emulator.ACCOUNT, bindings)
                .withPlaceholders();
    }
}
