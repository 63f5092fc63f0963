package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class ArgumentsTest {
    private final CommandSpec spec = new CommandLine(new Main(System.out, System.err, null)).getCommandSpec();

    @ParameterizedTest
    @CsvSource({"v1.2.0, web:v1.2.0", "web:v1.2.0, web:v1.2.0", "'" + "sha256:" + "abababababababababababababababababababababababababababababababab" + "', "
            + "web@sha256:abababababababababababababababababababababababababababababababab",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1, 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1"})
    void aBareTagOrDigestIsOfTheServicesRepository(String argument, String image) {
        assertEquals(image, Arguments.image(spec, argument, "web"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web:", "web@sha256:abc", "v1 2", "web:tag@" + "sha256:00"})
    void anythingElseIsRefusedNamingTheArgument(String argument) {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> Arguments.image(spec, argument, "web"));
        assertTrue(e.getMessage().startsWith("IMAGE '" + argument + "'"), e.getMessage());
    }

    private static final dev.pushdeploy.request.Pipeline OWN = new dev.pushdeploy.request.Pipeline("aws", "us-east-1", "123456789012");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "previous                                                       | ",
        "web:3                                                          | ",
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3      | ",
        "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3      | --to arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3 is in account"
                + " 123456789012, region eu-west-1; the pipeline runs in account 123456789012, region us-east-1",
        "arn:aws:ecs:us-east-1:210987654321:task-definition/web:3      | --to arn:aws:ecs:us-east-1:210987654321:task-definition/web:3 is in account"
                + " 210987654321, region us-east-1; the pipeline runs in account 123456789012, region us-east-1"})
    void aRollbackTargetOfAnotherAccountOrRegionIsRefused(String to, String error) {
        if (error == null) {
            Arguments.ownRollbackTarget(spec, to, OWN);
        } else {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> Arguments.ownRollbackTarget(spec, to, OWN));
            assertEquals(error, e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "web:v1                                                    | ",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1       | ",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v1       | IMAGE '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:v1' is in registry"
                + " 123456789012.dkr.ecr.eu-west-1.amazonaws.com; the pipeline deploys pushdeploy/web from its own,"
                + " 123456789012.dkr.ecr.us-east-1.amazonaws.com (account 123456789012, region us-east-1)",
        "210987654321.dkr.ecr.us-east-1.amazonaws.com/web:v1       | IMAGE '210987654321.dkr.ecr.us-east-1.amazonaws.com/web:v1' is in registry",
        "docker.io/web:v1                                          | IMAGE 'docker.io/web:v1' is in registry docker.io;",
        "worker:v1                                                 | IMAGE 'worker:v1' is of repository worker; pushdeploy/web deploys images of"
                + " repository web"})
    void anImageOfAnotherRepositoryOrRegistryIsRefused(String image, String error) {
        if (error == null) {
            Arguments.ownImage(spec, image, "web", "pushdeploy/web", OWN);
        } else {
            CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                    () -> Arguments.ownImage(spec, image, "web", "pushdeploy/web", OWN));
            assertTrue(e.getMessage().startsWith(error), e.getMessage());
        }
    }

    @Test
    void generatedExecutionNamesAreValidExecutionNames() {
        Instant now = Instant.parse("2026-11-30T12:01:02Z");
        String name = Arguments.executionName("deploy", "web:v1.2.0", now);
        assertTrue(name.matches("deploy-web-v1-2-0-20261130-120102-[0-9a-f]{4}"), name);
        String longest = Arguments.executionName("deploy", "x".repeat(200), now);
        assertEquals(80, longest.length());
        Arguments.executionName(spec, "--name", longest);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "deploy v1.2.0 --name bad.name                  | --name 'bad.name' must be 1 to 80",
        "rotate --reason %s                             | --reason is 257 characters; at most 256",
        "rollback --to previous --name a/b               | --name 'a/b' must be 1 to 80",
        "diff web:latest!                               | IMAGE 'web:latest!' is neither a tag",
        "deploy ' '                                     | IMAGE is empty",
        "follow not/an/execution                        | EXECUTION 'not/an/execution' is neither",
        "cancel not/an/execution                        | EXECUTION 'not/an/execution' is neither"})
    void theSharedArgumentsAreCheckedBeforeAnythingStarts(String command, String error) {
        CommandLine cli = new CommandLine(new Main(System.out, System.err, null));
        String[] args = command.formatted("x".repeat(257)).split(" (?=(?:[^']*'[^']*')*[^']*$)");
        for (int i = 0; i < args.length; i++) {
            args[i] = args[i].replace("'", "");
        }
        CommandLine.ParseResult parsed = cli.parseArgs(args);
        CommandLine sub = parsed.subcommand().commandSpec().commandLine();
        Exception e = assertThrows(Exception.class, () -> ((java.util.concurrent.Callable<?>) sub.getCommand()).call());
        assertTrue(e.getMessage().startsWith(error), e.getMessage());
    }

    /** A reason the workflow would refuse (Prepare: not printable) is refused before an execution is started. */
    @ParameterizedTest
    @ValueSource(strings = {"hotfix\nsee ticket 42", "tab\there", "bidi\u202Eoverride"})
    void aReasonTheWorkflowRefusesStartsNothing(String reason) {
        CommandLine cli = new CommandLine(new Main(System.out, System.err, null));
        CommandLine sub = cli.parseArgs("rotate", "--reason", reason).subcommand().commandSpec().commandLine();
        Exception e = assertThrows(CommandLine.ParameterException.class, () -> ((java.util.concurrent.Callable<?>) sub.getCommand()).call());
        assertTrue(e.getMessage().startsWith("--reason: contains the non-printable character U+"), e.getMessage());
    }

    @Test
    void eachStartingCommandNamesItsOwnDefaultExecutionName() {
        CommandLine cli = new CommandLine(new Main(System.out, System.err, null));
        for (String command : new String[] {"deploy", "rollback", "rotate"}) {
            String help = cli.getSubcommands().get(command).getUsageMessage().replaceAll("\\s+", " ");
            assertTrue(help.contains("(default: " + command + "-<what it moves>-<time>)"), help);
        }
    }
}
