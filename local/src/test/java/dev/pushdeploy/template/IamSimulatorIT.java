package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pushdeploy.template.Permissions.Permission;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference IamCoverageIT checks its own matching against answers as IAM does where that matching cannot tell:
 * a Deny, a condition the request does not meet, a resource the action does not authorize on, an action that does
 * not exist.
 */
class IamSimulatorIT {
    static final String WEB = "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/web";
    static final String API = "arn:aws:ecs:us-east-1:123456789012:service/pushdeploy/api";
    static final String KEY = "arn:aws:ssm:us-east-1:123456789012:parameter/app/key";

    @Test
    void itAnswersAsIamDoesWhereTheOwnMatchingCannotTell() throws Exception {
        JsonNode policy = new ObjectMapper().readTree("""
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": ["ecs:DescribeServices", "ecs:DescribeTaskDefinition"], "Resource": "*"},
                  {"Effect": "Deny", "Action": "ecs:DescribeServices", "Resource": "%s"},
                  {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:us-east-1:123456789012:parameter/app/*",
                   "Condition": {"StringEquals": {"aws:ResourceTag/team": "web"}}}]}""".formatted(API));
        List<Permission> asked = List.of(
                new Permission("ecs:DescribeServices", WEB),
                new Permission("ecs:DescribeServices", API),
                new Permission("ssm:GetParameter", KEY),
                new Permission("ecs:DescribeTaskDefinition", "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"),
                new Permission("ecs:DescribeTaskDefinition", null),
                new Permission("ecs:DescribeServicez", null));

        Map<Permission, String> verdicts = IamSimulator.evaluate("probe", List.of(policy), asked);

        assertEquals(List.of("Allowed", "ExplicitlyDenied", "ImplicitlyDenied", "error: must.use.wildcard", "Allowed",
                "error: invalid.action"), List.copyOf(verdicts.values()));
        assertEquals(List.of(
                "ecs:DescribeServices on " + API + ": Iam allows, iam-simulate ExplicitlyDenied",
                "ssm:GetParameter on " + KEY + ": Iam allows, iam-simulate ImplicitlyDenied",
                "ecs:DescribeTaskDefinition on arn:aws:ecs:us-east-1:123456789012:task-definition/web:1: Iam allows, iam-simulate error: must.use.wildcard",
                "ecs:DescribeServicez: Iam denies, iam-simulate error: invalid.action"),
                IamSimulator.disagreements(Iam.statements(policy), verdicts));
    }
}
