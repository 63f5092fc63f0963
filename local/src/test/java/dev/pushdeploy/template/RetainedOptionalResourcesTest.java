package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Audit: an optional resource (a Condition) that is retained (DeletionPolicy Retain) under a fixed name cannot be switched
 * off and on again. CloudFormation applies DeletionPolicy "to stack update operations that lead to resources being deleted
 * from stacks. For example, if you remove the resource from the stack template, and then update the stack with the
 * template" (CloudFormation user guide, DeletionPolicy attribute,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html): switching the
 * option off leaves the resource in the account, outside the stack. Switching it on again creates a resource of the same
 * name, which the service refuses (CloudWatch Logs CreateLogGroup: ResourceAlreadyExistsException; CloudFormation:
 * "Resource of type 'AWS::Logs::LogGroup' with identifier '...' already exists"), and the stack update rolls back.
 *
 * <p>ExecLogGroup is one: EnableExecuteCommand=true creates /pushdeploy/&lt;stack&gt;/exec (Retain: "kept when the stack is
 * deleted: an audit trail"), false leaves it behind, true again fails. README only says to delete retained groups "before
 * creating a stack of the same name again", not before switching ECS Exec back on.
 */
class RetainedOptionalResourcesTest {
    /** The property that fixes each type's physical name (a resource without it gets a generated, fresh name). */
    private static final Map<String, String> NAME = Map.of(
            "AWS::Logs::LogGroup", "LogGroupName",
            "AWS::DynamoDB::Table", "TableName",
            "AWS::KMS::Key", "-",
            "AWS::S3::Bucket", "BucketName",
            "AWS::ECR::Repository", "RepositoryName",
            "AWS::SecretsManager::Secret", "Name",
            "AWS::SSM::Parameter", "Name");

    @Test
    void noOptionalResourceIsRetainedUnderAFixedName() {
        Map<String, String> blocking = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : Deployments.TEMPLATE.resources().entrySet()) {
            JsonNode resource = e.getValue();
            String nameProperty = NAME.get(resource.path("Type").asText());
            if (!resource.has("Condition") || !"Retain".equals(resource.path("DeletionPolicy").asText()) || nameProperty == null
                    || !resource.path("Properties").has(nameProperty)) {
                continue;
            }
            blocking.put(e.getKey(), "Condition " + resource.path("Condition").asText() + ", " + nameProperty + " "
                    + resource.path("Properties").path(nameProperty));
        }
        assertEquals(Map.of(), blocking, "these optional resources are retained under a fixed name: switching their option "
                + "off leaves them in the account, switching it on again (e.g. EnableExecuteCommand true -> false -> true) "
                + "fails with 'already exists' and rolls the stack update back");
    }
}
