package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.stack.PipelineTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every state machine of template.yaml (the release's too, with a second service), its definition as the stack gives
 * it (DefinitionSubstitutions applied), passes asl-validator, an Amazon States Language validator written
 * elsewhere (the ASL's JSON schema, every transition's target, the paths): cfn-lint does not read a
 * DefinitionS3Location file, and moto's interpreter accepts what Step Functions would refuse. The validator is
 * installed from npm with the lockfile in {@code src/test/asl-validator} ({@code npm ci}, into target/); a missing
 * npm fails the test.
 */
class AslValidatorIT {
    private static NpmTool tool;

    @BeforeAll
    static void install() throws Exception {
        tool = NpmTool.install("asl-validator");
    }

    @Test
    void everyStateMachineOfTheTemplateIsValidAsl(@TempDir Path dir) throws Exception {
        List<PipelineTemplate.StateMachineSpec> machines = new ArrayList<>();
        PipelineTemplate withRelease = PipelineTemplate.expand(Repo.TEMPLATE_FILE, Map.of(), 2).beforeFirstRelease();
        machines.add(withRelease.stateMachine());
        machines.addAll(withRelease.otherStateMachines());
        assertEquals(2, machines.size(), "the deployment's and the release's state machines");

        List<String> args = new ArrayList<>();
        for (PipelineTemplate.StateMachineSpec machine : machines) {
            String text = machine.definitionText();
            assertTrue(!text.contains("${"), machine.logicalId() + " has a placeholder no substitution fills");
            Path file = dir.resolve(machine.logicalId() + ".asl.json");
            Files.writeString(file, text);
            args.addAll(List.of("--json-path", file.toString()));
        }
        NpmTool.Result result = validate(args);
        assertEquals(0, result.exitCode(), result.output());
        for (PipelineTemplate.StateMachineSpec machine : machines) {
            assertTrue(result.output().contains("✓ State machine definition \"" + dir.resolve(machine.logicalId() + ".asl.json")
                    + "\" is valid"), result.output());
        }
    }

    /** The validator finds what it is there for: a transition to no state, a time limit that is not a number. */
    @Test
    void itRefusesADefinitionThatStepFunctionsWouldRefuse(@TempDir Path dir) throws Exception {
        String deploy = Files.readString(Repo.ASL_FILE);
        Path missingTarget = dir.resolve("missing-target.json");
        Files.writeString(missingTarget, deploy.replace("\"Next\": \"Verdict\"", "\"Next\": \"Verdct\""));
        Path stringTimeout = dir.resolve("string-timeout.json");
        Files.writeString(stringTimeout, deploy.replaceFirst("\"TimeoutSeconds\": (\\d+)", "\"TimeoutSeconds\": \"$1\""));

        NpmTool.Result missing = validate(List.of("--json-path", missingTarget.toString()));
        assertEquals(1, missing.exitCode(), missing.output());
        assertTrue(missing.output().contains("Missing 'StartAt'|'Next'|'Default' target: Verdct"), missing.output());
        NpmTool.Result string = validate(List.of("--json-path", stringTimeout.toString()));
        assertEquals(1, string.exitCode(), string.output());
        assertTrue(string.output().contains("TimeoutSeconds is invalid. must be integer"), string.output());
    }

    private static NpmTool.Result validate(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool.path("node_modules/.bin/asl-validator").toString()));
        command.addAll(args);
        return tool.run(command, "asl-validator did not start");
    }
}
