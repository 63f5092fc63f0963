package dev.pushdeploy.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.adapter.json.Trees;
import dev.pushdeploy.ledger.ReleaseParameterSeed;
import dev.pushdeploy.ledger.InMemoryReleaseParameters;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The custom resource InitialReleaseParameters (Custom::ReleaseParameters) against CloudFormation's
 * documented custom-resource protocol:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref.html.
 */
class ReleaseParametersProtocolTest {
    static final String URL = "https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned";
    static final String STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/pushdeploy/guid";

    private final InMemoryReleaseParameters parameters = new InMemoryReleaseParameters();
    private final Map<String, String> values = parameters.values;
    private final List<String> urls = new ArrayList<>();
    private final List<JsonNode> responses = new ArrayList<>();
    private final ReleaseParametersHandler handler = new ReleaseParametersHandler(new ReleaseParameterSeed(parameters), (url, body) -> {
        urls.add(url);
        responses.add(Trees.tree(new String(body, StandardCharsets.UTF_8)));
    });

    /** Runs the request as Lambda does (the stream entry point); what it throws is returned, not rethrown. */
    private Throwable invoke(String event) {
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    /**
     * "To successfully delete a stack with a custom resource, the custom resource provider must respond successfully
     * to a delete request." A Delete whose ResourceProperties are not of the shape the handler binds (here Names given
     * as one string, as a template edit such as {@code Names: !Sub '...'} sends it) is read before the handler's
     * try/catch, so the invocation fails and nothing is PUT to the ResponseURL: CloudFormation waits out the
     * ServiceTimeout and the Delete fails (DELETE_FAILED, or ROLLBACK_FAILED when it is the rollback of the Create
     * that failed the same way). The class's own contract says it answers "always, also when the request is bad".
     */
    @Test
    void aDeleteWhosePropertiesHaveAnotherShapeIsStillAnswered() {
        String delete = """
                {"RequestType": "Delete", "RequestId": "req-del", "ResponseURL": "%s",
                 "ResourceType": "Custom::ReleaseParameters", "LogicalResourceId": "InitialReleaseParameters",
                 "StackId": "%s", "PhysicalResourceId": "pushdeploy-release-parameters",
                 "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f:live",
                                        "ServiceTimeout": "120", "Prefix": "/pushdeploy/release",
                                        "Names": "/pushdeploy/release/pushdeploy/web/image"}}
                """.formatted(URL, STACK);

        Throwable thrown = invoke(delete);

        assertEquals(List.of(URL), urls, "CloudFormation's Delete got no response at its ResponseURL (the invocation ended with "
                + thrown + "): CloudFormation waits the resource's ServiceTimeout and then fails the Delete, so the stack"
                + " cannot be deleted (DELETE_FAILED) and a failed Create's rollback ends ROLLBACK_FAILED");
        assertEquals("SUCCESS", responses.get(0).path("Status").asText(), "a Delete, which changes nothing, must answer SUCCESS");
        assertEquals("pushdeploy-release-parameters", responses.get(0).path("PhysicalResourceId").asText());
    }

    /**
     * An Update carries the previous properties as OldResourceProperties. When an operator changes ReleaseParameterPrefix
     * (a stack parameter this resource reads) the Update seeds the new names with "none" and ignores that the old ones
     * hold the live release: the nested stack release.yaml then resolves Image=none, so the stack's task definition
     * names the bootstrap image and Release.Outputs.DesiredCount is 0 — the service is scaled to zero tasks, though the
     * design promises that "a later sam deploy must never move the service back to an older image".
     */
    @Test
    void anUpdateThatMovesThePrefixDoesNotResetTheLiveReleaseToNone() {
        String oldImage = "/pushdeploy/release/pushdeploy/web/image";
        String newImage = "/pushdeploy/v2/pushdeploy/web/image";
        values.put(oldImage, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab");
        String update = """
                {"RequestType": "Update", "RequestId": "req-upd", "ResponseURL": "%s",
                 "ResourceType": "Custom::ReleaseParameters", "LogicalResourceId": "InitialReleaseParameters",
                 "StackId": "%s", "PhysicalResourceId": "pushdeploy-release-parameters",
                 "ResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f:live",
                                        "ServiceTimeout": "120", "Prefix": "/pushdeploy/v2", "Names": ["%s"]},
                 "OldResourceProperties": {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f:live",
                                           "ServiceTimeout": "120", "Prefix": "/pushdeploy/release", "Names": ["%s"]}}
                """.formatted(URL, STACK, newImage, oldImage);

        invoke(update);

        assertEquals(List.of(URL), urls);
        String status = responses.get(0).path("Status").asText();
        assertFalse(status.equals("SUCCESS") && "none".equals(values.get(newImage)),
                "the Update answered " + status + " after seeding " + newImage + " = none while " + oldImage + " (its"
                        + " OldResourceProperties) holds the live release " + values.get(oldImage) + ": the nested stack"
                        + " then renders the bootstrap image with DesiredCount 0 and the service loses its tasks. The"
                        + " Update should carry the old value over (or answer FAILED naming the live release)");
        assertEquals(List.of("SUCCESS", "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab"),
                List.of(status, values.get(newImage)), "the live release carried over to the new name");
    }

    /** A Create whose properties have another shape is answered FAILED, naming the property, and creates nothing. */
    @Test
    void aCreateWhosePropertiesHaveAnotherShapeIsAnsweredFailedNamingTheProperty() {
        String create = """
                {"RequestType": "Create", "RequestId": "req-c", "ResponseURL": "%s",
                 "ResourceType": "Custom::ReleaseParameters", "LogicalResourceId": "InitialReleaseParameters", "StackId": "%s",
                 "ResourceProperties": {"Prefix": "/pushdeploy/release", "Names": "/pushdeploy/release/pushdeploy/web/image"}}
                """.formatted(URL, STACK);

        Throwable thrown = invoke(create);

        assertEquals(null, thrown);
        assertEquals(List.of(URL), urls);
        assertEquals("FAILED", responses.get(0).path("Status").asText());
        assertEquals(true, responses.get(0).path("Reason").asText().startsWith("Names: must be a list of parameter names"),
                responses.get(0).toString());
        assertEquals(Map.of(), values, "nothing created");
    }
}
