package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.handler.StepHandler;
import dev.pushdeploy.local.template.CfnTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every function of the template names a handler that exists in the functions jar with the Lambda
 * entry point, every handler in the jar is deployed by a function, and the functions are built
 * and published the way docs/design.md says (one jar, java21, SnapStart on published versions), in
 * the template as aws-sam-translator expands it.
 */
class HandlersTest {
    private static final CfnTemplate TEMPLATE = Repo.template();

    @Test
    void theTemplateDeploysExactlyTheFixedFunctions() {
        assertEquals(Repo.FUNCTIONS.keySet(), TEMPLATE.resources("AWS::Lambda::Function").keySet());
        Repo.FUNCTIONS.forEach((function, handler) -> assertEquals(Repo.HANDLER_PACKAGE + handler + "::handleRequest",
                TEMPLATE.properties(function).path("Handler").asText(), function + " Handler"));
    }

    @Test
    void everyHandlerExistsWithTheLambdaEntryPoint() throws Exception {
        for (JsonNode function : TEMPLATE.resources("AWS::Lambda::Function").values()) {
            String[] handler = function.path("Properties").path("Handler").asText().split("::");
            Class<?> type = Class.forName(handler[0]);
            assertTrue(RequestStreamHandler.class.isAssignableFrom(type), type + " is a RequestStreamHandler");
            assertTrue(StepHandler.class.isAssignableFrom(type), type + " extends StepHandler");
            assertTrue(Modifier.isPublic(type.getConstructor().getModifiers()), type + " has a public no-arg constructor");
            assertEquals("handleRequest", handler[1]);
            type.getMethod(handler[1], InputStream.class, OutputStream.class, Context.class);
        }
    }

    @Test
    void everyHandlerInTheJarIsDeployed() throws Exception {
        Set<String> declared = TEMPLATE.resources("AWS::Lambda::Function").values().stream()
                .map(f -> f.path("Properties").path("Handler").asText().split("::")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> inJar = new TreeSet<>();
        for (String name : handlerPackageClasses()) {
            Class<?> type = Class.forName(name);
            if (StepHandler.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                inJar.add(name);
            }
        }
        assertEquals(inJar, declared);
    }

    /** After the SAM transform: every function is the code of functions/ on java21, published with SnapStart behind an alias. */
    @Test
    void functionsAreOneJavaJarWithSnapStartOnPublishedVersions() {
        assertTrue(Files.isRegularFile(Repo.ROOT.resolve("functions/pom.xml")), "CodeUri functions is a Maven project");
        Map<String, JsonNode> aliases = TEMPLATE.resources("AWS::Lambda::Alias");
        for (Map.Entry<String, JsonNode> function : TEMPLATE.resources("AWS::Lambda::Function").entrySet()) {
            JsonNode properties = function.getValue().path("Properties");
            assertEquals("functions", properties.path("Code").path("S3Key").asText(), function.getKey() + " CodeUri");
            assertEquals("java21", properties.path("Runtime").asText(), function.getKey());
            assertEquals("PublishedVersions", properties.path("SnapStart").path("ApplyOn").asText(), function.getKey());
            assertTrue(properties.path("Role").has("Fn::GetAtt"), function.getKey() + " runs with its own role from the template");
            assertEquals(1, aliases.values().stream().filter(a -> function.getKey().equals(
                    a.path("Properties").path("FunctionName").path("Ref").asText())).count(), function.getKey() + " has one alias");
        }
    }

    /** Class names in dev.pushdeploy.handler, from the functions jar (or its classes directory). */
    private static Set<String> handlerPackageClasses() throws IOException, URISyntaxException {
        Path location = Path.of(StepHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> names = new TreeSet<>();
        String prefix = "dev/pushdeploy/handler/";
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve(prefix))) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                        .forEach(n -> names.add("dev.pushdeploy.handler." + n.replace(".class", "")));
            }
            return names;
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String entry = entries.nextElement().getName();
                if (entry.startsWith(prefix) && entry.endsWith(".class") && !entry.contains("$")
                        && entry.indexOf('/', prefix.length()) < 0) {
                    names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        return names;
    }
}
