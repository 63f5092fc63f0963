package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.template.CfnTemplate;
import dev.pushdeploy.testing.Emulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cfn-lint, run from the repository root exactly as a developer or CI runs it (the project's
 * .cfnlintrc.yaml adds the custom rules in .cfnlint/rules): the template has no finding at all,
 * informational ones included,
 * and every custom rule reports its planted violation, and only its own, on its fixture.
 */
class TemplateLintIT {
    private static final Path FIXTURES = Path.of("src/test/resources/cfnlint").toAbsolutePath();
    private static final Path NESTED = Path.of("src/test/resources/nested").toAbsolutePath();
    private static final Pattern RULE_ID = Pattern.compile("^\\s*id = \"(E9\\d{3})\"", Pattern.MULTILINE);
    private static final Pattern FIXTURE = Pattern.compile("(E9\\d{3})-.+\\.yaml");

    private static List<Path> fixtures;
    private static Map<String, Set<String>> findingsByFixture;

    @BeforeAll
    static void lintFixtures() throws Exception {
        try (Stream<Path> files = Files.list(FIXTURES)) {
            fixtures = files.filter(f -> FIXTURE.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
        assertFalse(fixtures.isEmpty(), "no fixtures in " + FIXTURES);
        List<String> args = new ArrayList<>(List.of("--format", "parseable", "--"));
        fixtures.forEach(f -> args.add(f.toString()));
        Result result = cfnLint(args);
        findingsByFixture = new TreeMap<>();
        fixtures.forEach(f -> findingsByFixture.put(f.getFileName().toString(), new TreeSet<>()));
        for (String line : result.output().lines().toList()) {
            // parseable: file:line:column:endLine:endColumn:rule:message
            String[] fields = line.split(":", 7);
            assertTrue(fields.length == 7, "unexpected cfn-lint output: " + line);
            findingsByFixture.get(Path.of(fields[0]).getFileName().toString()).add(fields[5]);
        }
    }

    /**
     * Informational checks included: e.g. I3011, an explicit DeletionPolicy/UpdateReplacePolicy per stateful resource.
     * The templates of its nested stacks are linted with it.
     */
    @Test
    void templateHasNoFindingsInformationalOnesIncluded() throws Exception {
        List<String> args = withNestedTemplates(Repo.ROOT.resolve("template.yaml"));
        args.addAll(List.of("--include-checks", "I"));
        Result result = cfnLint(args);
        assertEquals("", result.output(), "cfn-lint " + args + " must print nothing");
        assertEquals(0, result.exitCode());
    }

    /** A template with a nested stack ({@code nested/parent.yaml}): both files are linted, together. */
    @Test
    void aNestedStacksTemplateIsLintedWithItsParent(@TempDir Path broken) throws Exception {
        List<String> args = withNestedTemplates(NESTED.resolve("parent.yaml"));
        assertEquals(List.of(NESTED.resolve("parent.yaml").toString(), NESTED.resolve("release.yaml").toString()), args);
        args.addAll(List.of("--include-checks", "I"));
        Result result = cfnLint(args);
        assertEquals("", result.output(), "cfn-lint " + args + " must print nothing");
        assertEquals(0, result.exitCode());

        Files.copy(NESTED.resolve("parent.yaml"), broken.resolve("parent.yaml"));
        Files.writeString(broken.resolve("release.yaml"), Files.readString(NESTED.resolve("release.yaml"))
                .replace("!Ref DesiredCount, '0'", "!Ref DesiredCoun, '0'"));
        Result findings = cfnLint(withNestedTemplates(broken.resolve("parent.yaml")));
        assertTrue(findings.output().contains(broken.resolve("release.yaml") + ":"), "a finding in the nested template: "
                + findings.output());
    }

    /** The template and the templates of its nested stacks (a TemplateURL that is a path), as cfn-lint's arguments. */
    private static List<String> withNestedTemplates(Path template) {
        List<String> files = new ArrayList<>(List.of(template.toString()));
        CfnTemplate.expand(template, Emulator.REGION, Emulator.ACCOUNT, Map.of()).nestedTemplates().forEach(f -> files.add(f.toString()));
        return files;
    }

    @Test
    void everyRuleReportsOnlyItsPlantedViolation() {
        for (Path fixture : fixtures) {
            String name = fixture.getFileName().toString();
            Matcher m = FIXTURE.matcher(name);
            assertTrue(m.matches());
            assertEquals(Set.of(m.group(1)), findingsByFixture.get(name), name + ": findings");
        }
    }

    @Test
    void everyCustomRuleHasAFixture() throws IOException {
        Set<String> ruleIds = new TreeSet<>();
        try (Stream<Path> files = Files.list(Repo.ROOT.resolve(".cfnlint/rules"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".py")).toList()) {
                Matcher m = RULE_ID.matcher(Files.readString(file));
                while (m.find()) {
                    ruleIds.add(m.group(1));
                }
            }
        }
        Set<String> planted = fixtures.stream()
                .map(f -> FIXTURE.matcher(f.getFileName().toString()))
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(14, ruleIds.size(), "custom rules found: " + ruleIds);
        assertEquals(ruleIds, planted);
    }

    record Result(int exitCode, String output) {
    }

    private static Result cfnLint(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("cfn-lint");
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(command).directory(Repo.ROOT.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cfn-lint is not installed (pip install 'cfn-lint==1.51.0'): " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("cfn-lint did not finish");
        }
        return new Result(process.exitValue(), output.strip());
    }
}
