package dev.pushdeploy.local.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Nested stacks evaluated as CloudFormation evaluates them ({@code nested/application.yaml}: a SAM
 * application with a local template, which aws-sam-translator turns into an
 * {@code AWS::CloudFormation::Stack}, and a nested stack with a remote URL under a condition).
 */
class NestedStackTest {
    private static final Path FIXTURE = Path.of("src/test/resources/nested/application.yaml");
    private static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";

    private static Deployment deploy(Map<String, String> parameters, Map<String, String> parameterStore, List<String> reads) {
        CfnTemplate template = CfnTemplate.expand(FIXTURE, REGION, ACCOUNT, parameters);
        return new Deployment(template, template.parameterValues(parameters, name -> Optional.empty()), "stack", REGION, ACCOUNT,
                new AwsNames((logicalId, type) -> "stack-" + logicalId, Map.of()), name -> {
                    reads.add(name);
                    return Optional.ofNullable(parameterStore.get(name));
                });
    }

    @Test
    void theParentReadsTheNestedStacksOutputsEvaluatedWithWhatItPasses() {
        List<String> reads = new ArrayList<>();
        Deployment stack = deploy(Map.of(), Map.of("/stack/image", "repo@sha256:1", "/stack/count", "3"), reads);

        assertEquals(List.of(), reads, "nothing is read before the nested stack is evaluated");
        Map<String, String> outputs = stack.outputs();
        assertEquals("repo@sha256:1", outputs.get("Image"), "the SSM-typed parameter of the nested stack, read from Parameter Store");
        assertEquals(List.of("/stack/image", "/stack/count"), reads, "the names the parent passed");
        assertEquals("3", outputs.get("Count"));
        assertEquals("b!", outputs.get("Second"), "a comma-delimited list passed as a string; Fn::Sub of a nested output");
        assertEquals("stack-Table", outputs.get("Table"), "a nested resource named as the nested stack's");
        assertEquals("AWS::CloudFormation::Stack", stack.template().type("App"), "the SAM application");
        assertEquals("arn:aws:cloudformation:us-east-1:123456789012:stack/stack-App/00000000-0000-0000-0000-000000000000",
                stack.ref("App"));
        assertEquals(stack.ref("App"), stack.nested("App").stackId());
        assertEquals(2, reads.size(), "the nested stack is evaluated once per deployment");
    }

    @Test
    void theNestedTemplatesAreThoseGivenAsPaths() {
        CfnTemplate template = CfnTemplate.expand(FIXTURE, REGION, ACCOUNT, Map.of());
        assertEquals(List.of(FIXTURE.toAbsolutePath().getParent().resolve("app/child.yaml")), template.nestedTemplates(),
                "the remote template is not a file");
    }

    @Test
    void aMissingParameterOrOutputAndARemoteTemplateFailNamingThem() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> deploy(Map.of(), Map.of(), new ArrayList<>())
                .outputs());
        assertEquals("nested stack App (app/child.yaml): parameter Image: SSM parameter /stack/image does not exist",
                missing.getMessage());

        Deployment remote = deploy(Map.of("Mode", "remote"), Map.of("/stack/image", "x", "/stack/count", "1"), new ArrayList<>());
        IllegalStateException noOutput = assertThrows(IllegalStateException.class, () -> remote.outputs());
        assertEquals("Fn::GetAtt App.Outputs.Nope: the nested stack has no output Nope", noOutput.getMessage());
        IllegalStateException url = assertThrows(IllegalStateException.class, () -> remote.nested("Elsewhere"));
        assertEquals("nested stack Elsewhere (https://example.com/release.yaml): TemplateURL must be a file path relative to the"
                + " template (as sam package uploads it), not 'https://example.com/release.yaml': the local runtime reads nested"
                + " templates from files", url.getMessage());
        IllegalStateException absent = assertThrows(IllegalStateException.class,
                () -> deploy(Map.of(), Map.of(), new ArrayList<>()).nested("Elsewhere"));
        assertEquals("nested stack Elsewhere is not part of this deployment (condition Remote is false)", absent.getMessage());
    }
}
