package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class HelpTest {
    /** Every command an operator can type, as the words that name it ("local push"). */
    static Stream<String> commands() {
        List<String> paths = new ArrayList<>();
        collect(new CommandLine(new Main(System.out, System.err, null)), "", paths);
        return paths.stream();
    }

    private static void collect(CommandLine command, String path, List<String> paths) {
        paths.add(path.strip());
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && !name.equals("help")) {
                collect(sub, path + name + " ", paths);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("commands")
    void everyCommandAnswersHelpWithItsOwnUsage(String command) {
        for (String flag : List.of("--help", "-h")) {
            Run run = run((command + " " + flag).strip());

            assertEquals(0, run.code, command + " " + flag + ": " + run.err);
            assertTrue(run.out.startsWith("Usage: pushdeploy " + command), run.out);
        }
    }

    /** The hint printed after a bad command line names a command that works and tells what the mistake was about. */
    @ParameterizedTest
    @CsvSource({"local push", "cancel --nope", "deploy", "run --event", "history --count x"})
    void theHintAfterABadCommandLineWorks(String command) {
        Run bad = run(command);
        Matcher hint = Pattern.compile("\\(pushdeploy (.*)--help tells more\\)").matcher(bad.err);
        assertEquals(Main.FAILED, bad.code);
        assertTrue(hint.find(), bad.err);

        Run help = run(hint.group(1) + "--help");

        assertEquals(0, help.code, help.err);
        assertTrue(help.out.startsWith("Usage: pushdeploy " + hint.group(1).strip()), help.out);
    }

    @org.junit.jupiter.api.Test
    void versionIsTheTopCommands() {
        Run run = run("--version");
        assertEquals(0, run.code, run.err);
        assertTrue(run.out.startsWith("pushdeploy "), run.out);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(line.isEmpty() ? new String[0] : line.split(" "), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
