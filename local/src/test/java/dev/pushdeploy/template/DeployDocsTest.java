package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.template.CfnTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md (Deploying to AWS) stays true to the template: its parameters table lists exactly the template's
 * parameters with their defaults, every stack output it reads exists, every file it names exists.
 */
class DeployDocsTest {
    private static final CfnTemplate TEMPLATE = Repo.template();

    private static String docs() throws IOException {
        return Files.readString(Repo.ROOT.resolve("README.md"));
    }

    @Test
    void theParametersTableListsEveryParameterWithItsDefault() throws IOException {
        Matcher row = Pattern.compile("^\\| `([A-Za-z0-9]+)` \\| (`([^`]*)`|\\(empty\\)) \\|", Pattern.MULTILINE).matcher(docs());
        Set<String> documented = new TreeSet<>();
        while (row.find()) {
            String name = row.group(1);
            documented.add(name);
            assertEquals(TEMPLATE.parameterDefault(name).orElse(""), row.group(3) == null ? "" : row.group(3), name + " default");
        }
        Set<String> declared = new TreeSet<>();
        TEMPLATE.parameters().fieldNames().forEachRemaining(declared::add);
        assertEquals(declared, documented);
    }

    @Test
    void everyOutputTheStepsReadExists() throws IOException {
        Matcher out = Pattern.compile("\\$\\(out ([A-Za-z]+)\\)").matcher(docs());
        Set<String> read = new TreeSet<>();
        while (out.find()) {
            read.add(out.group(1));
        }
        assertFalse(read.isEmpty());
        for (String output : read) {
            assertTrue(TEMPLATE.root().path("Outputs").has(output), "output " + output);
        }
    }

    @Test
    void everyFileTheStepsNameExists() throws IOException {
        Matcher file = Pattern.compile("(?:file://)?((?:events|docs)/[a-z0-9-]+\\.json)").matcher(docs());
        Set<String> named = new TreeSet<>();
        while (file.find()) {
            named.add(file.group(1));
        }
        assertFalse(named.isEmpty());
        for (String name : named) {
            assertTrue(Files.isRegularFile(Repo.ROOT.resolve(Path.of(name))), name);
        }
    }

    /** From an empty account: build, one deploy, a push. No parameter written, no function invoked by hand, no second deploy. */
    @Test
    void theStepsNeedNoHandMadeRelease() throws IOException {
        String docs = docs();
        String steps = docs.substring(docs.indexOf("### Step by step"), docs.indexOf("### Parameters"));
        assertFalse(steps.contains("put-parameter"), steps);
        assertFalse(steps.contains("aws lambda invoke"), steps);
        assertEquals(1, Pattern.compile("^sam deploy", Pattern.MULTILINE).matcher(steps).results().count(), steps);
        assertTrue(steps.contains("docker push"), steps);
    }
}
