package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.daemon.LocalDaemon;
import dev.pushdeploy.ops.Pipeline;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stack outputs the CLI reads are the template's, and the local stack registers them under the same names. */
class OperatorOutputsTest {
    @Test
    void theCliReadsOutputsTheTemplateDeclares() {
        JsonNode outputs = Repo.template().root().path("Outputs");
        for (String output : Pipeline.OUTPUTS) {
            assertTrue(outputs.has(output), "template.yaml has no output " + output);
            assertTrue(outputs.path(output).path("Condition").isMissingNode(), output + " exists whatever the parameters");
        }
    }

    @Test
    void theLocalStackRegistersEveryOutputItHasUnderTheTemplatesNames() {
        StackOutputs stack = new StackOutputs("arn:aws:states:us-east-1:123456789012:stateMachine:m", "/pushdeploy/config", null,
                "table", "arn:aws:sns:us-east-1:123456789012:topic", null, "/pushdeploy/release", List.of(),
                List.of(new StackOutputs.Service(new dev.pushdeploy.config.Target("web", "pushdeploy", "web", "app",
                        java.util.regex.Pattern.compile(".*"), List.of(), dev.pushdeploy.config.Health.DEFAULT, null, 10, 1800),
                        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web", "sha256:0", "td", "tg", null, null, List.of())), List.of(), List.of(), Map.of(), null);
        JsonNode registered = Json.tree(LocalDaemon.template(stack)).path("Outputs");
        JsonNode declared = Repo.template().root().path("Outputs");
        registered.fieldNames().forEachRemaining(name -> assertTrue(declared.has(name), "template.yaml has no output " + name));
        for (String output : Pipeline.OUTPUTS) {
            assertTrue(registered.has(output), "the local stack does not register " + output);
        }
    }
}
