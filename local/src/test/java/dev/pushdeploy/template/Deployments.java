package dev.pushdeploy.template;

import dev.pushdeploy.local.template.AwsNames;
import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Deployments of template.yaml (expanded by aws-sam-translator) as CloudFormation would evaluate
 * them, in the emulator's account and region. Unnamed resources get CloudFormation-style names
 * ({@code pushdeploy-<LogicalId>-1ABC}); ids AWS assigns (key, database, load balancer) are bound.
 */
final class Deployments {
    static final String STACK_NAME = "pushdeploy";
    static final String KEY_ID = "0b8c1f6e-1111-4222-8333-944455556666";
    static final String KEY_ARN = "arn:aws:kms:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":key/" + KEY_ID;
    static final String DATABASE_HOST = "pushdeploy-db.abcdefghijkl." + Emulator.REGION + ".rds.amazonaws.com";
    static final CfnTemplate TEMPLATE = Repo.template();

    private Deployments() {
    }

    /** CloudFormation-style names, the ids AWS would assign bound, placeholders for the rest. */
    static AwsNames names() {
        String elb = "arn:aws:elasticloadbalancing:" + Emulator.REGION + ":" + Emulator.ACCOUNT + ":";
        return new AwsNames((logicalId, type) -> STACK_NAME + "-" + logicalId + "-1ABC", Map.of(
                "Key", KEY_ID,
                "Database", "pushdeploy-db",
                "Database.Endpoint.Address", DATABASE_HOST,
                "Database.Endpoint.Port", "5432",
                "LoadBalancer", elb + "loadbalancer/app/pushdeploy/1abc",
                "LoadBalancer.DNSName", "pushdeploy-1abc." + Emulator.REGION + ".elb.amazonaws.com",
                "TargetGroup", elb + "targetgroup/pushdeploy/1abc")).withPlaceholders();
    }

    /** A deployment whose release parameters hold {@code value} (every SSM-typed parameter answers it). */
    static Deployment withRelease(Map<String, String> overrides, String value) {
        return stack(overrides, name -> Optional.of(value), names());
    }

    /**
     * A deployment with {@code overrides} over the defaults. The transform ran once, with the
     * defaults: template.yaml's SAM properties do not depend on its parameters.
     */
    static Deployment stack(Map<String, String> overrides, Function<String, Optional<String>> ssm, AwsNames ids) {
        return new Deployment(TEMPLATE, TEMPLATE.parameterValues(overrides, ssm), STACK_NAME, Emulator.REGION, Emulator.ACCOUNT, ids,
                ssm);
    }
}
