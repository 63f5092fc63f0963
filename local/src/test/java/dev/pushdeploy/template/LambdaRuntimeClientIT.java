package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.template.Deployment;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.FakeRuntimeApi;
import dev.pushdeploy.testing.RuntimeClient;
import dev.pushdeploy.testing.World;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every handler under AWS's own Lambda Java runtime client
 * ({@code aws-lambda-java-runtime-interface-client}), as Lambda runs it: a fresh JVM whose task
 * root is the layout `sam build` ships (functions' classes at the root, their runtime
 * dependencies in lib/), the template's Handler string and environment (for the World in the
 * emulator, reached through {@code AWS_ENDPOINT_URL}), {@code AWS_LAMBDA_LOG_FORMAT=JSON}, and a
 * fake Runtime API that hands out the function's sample event and takes the answer.
 */
@ExtendWith(EmulatorExtension.class)
class LambdaRuntimeClientIT {
    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");
    private static Path taskRoot;

    /** What one run printed and reported, and the JAVA_TOOL_OPTIONS its JVM started with (null: none). */
    record Run(FakeRuntimeApi.Outcome outcome, List<String> stdout, List<String> stderr, String javaToolOptions) {
    }

    static Set<String> functions() {
        return Repo.FUNCTIONS.keySet();
    }

    @BeforeAll
    static void taskRootAsSamBuildShipsIt() throws IOException {
        taskRoot = RuntimeClient.taskRoot(Files.createTempDirectory("pushdeploy-task-root-"), List.of());
    }

    @AfterAll
    static void removeTaskRoot() throws IOException {
        try (Stream<Path> files = Files.walk(taskRoot)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("functions")
    void answersItsSampleEventLoggingOneJsonObjectPerLine(String function, Emulator emulator) throws Exception {
        emulator = IamCoverageIT.front(emulator);
        World world = function.equals("ScanGateFunction") ? World.create(emulator, World.configDocument("HIGH")) : World.create(emulator);
        Map<String, String> environment = environment(world, function);
        ResponseUrl responses = ResponseUrl.start();
        String sample = responses.into(Files.readString(Repo.events(Repo.EVENTS.get(function))));
        Map<String, String> properties = new HashMap<>(environment);
        properties.putAll(Map.of("aws.endpointUrl", emulator.endpoint().toString(), "aws.region", Emulator.REGION,
                "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing"));
        String event = FunctionEnvironment.with(properties, () -> IamCoverageIT.prepare(function, world, sample));

        Run run;
        try {
            run = run(function, environment, emulator, event);
        } finally {
            responses.close();
        }

        assertEquals("response", run.outcome().kind(), function + " answered " + run.outcome() + "\n" + run.stdout());
        if (event.contains("\"ResponseURL\"")) {
            assertEquals(1, responses.responses().size(), function + " answers CloudFormation once");
            assertEquals("SUCCESS", Json.tree(responses.responses().get(0)).path("Status").asText(), responses.responses().get(0));
        }
        JsonNode answer = Json.tree(run.outcome().body());
        assertTrue(answer.isObject() && answer.size() > 0, function + " answered " + run.outcome().body());
        List<JsonNode> lines = jsonLines(function, run);
        List<JsonNode> ours = lines.stream().filter(l -> l.has("step")).toList();
        assertFalse(ours.isEmpty(), function + " logged no line of its own: " + run.stdout());
        for (JsonNode line : ours) {
            assertTrue(line.path("AWSRequestId").asText().equals(run.outcome().requestId()), "request id in " + line);
            assertTrue(line.size() > 5 || line.path("message").asText().length() > 0, "fields in " + line);
        }
    }

    @Test
    void prepareLogsItsDecisionAsFieldsAndAnApplicationLogLevelDropsLowerLevels(Emulator emulator) throws Exception {
        emulator = IamCoverageIT.front(emulator);
        World world = World.create(emulator);
        String event = Files.readString(Repo.events("prepare.json"));
        Map<String, String> properties = new HashMap<>(environment(world, "PrepareFunction"));
        properties.putAll(Map.of("aws.endpointUrl", emulator.endpoint().toString(), "aws.region", Emulator.REGION,
                "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing"));
        FunctionEnvironment.with(properties, () -> {
            IamCoverageIT.prepare("PrepareFunction", world, event);
            return null;
        });

        List<JsonNode> info = jsonLines("PrepareFunction", run("PrepareFunction", environment(world, "PrepareFunction"), emulator, event));
        JsonNode prepared = info.stream().filter(l -> "prepared".equals(l.path("message").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no 'prepared' line: " + info));
        assertEquals("INFO", prepared.path("level").asText());
        assertEquals("Prepare", prepared.path("step").asText());
        assertEquals("PROCEED", prepared.path("decision").asText(), "the decision is a field of its own: " + prepared);
        assertTrue(prepared.path("image").asText().contains("@sha256:"), prepared.toString());

        Map<String, String> warnOnly = new HashMap<>(environment(world, "PrepareFunction"));
        warnOnly.put("AWS_LAMBDA_LOG_LEVEL", "WARN");
        Run quiet = run("PrepareFunction", warnOnly, emulator, event);
        assertEquals("response", quiet.outcome().kind());
        assertEquals(List.of(), jsonLines("PrepareFunction", quiet).stream()
                .filter(l -> Set.of("TRACE", "DEBUG", "INFO").contains(l.path("level").asText())).toList());
    }

    @Test
    void anErrorReportsTheDomainExceptionsType(Emulator emulator) throws Exception {
        emulator = IamCoverageIT.front(emulator);
        World world = World.create(emulator);
        Run run = run("StartDeploymentFunction", environment(world, "StartDeploymentFunction"), emulator, "[\"not\", \"a request\"]");

        assertEquals("error", run.outcome().kind(), run.toString());
        JsonNode error = Json.tree(run.outcome().body());
        assertEquals("dev.pushdeploy.error.InvalidRequestException", error.path("errorType").asText(), run.outcome().body());
        assertTrue(error.path("errorMessage").asText().startsWith("input: "), run.outcome().body());
        jsonLines("StartDeploymentFunction", run);
    }

    @Test
    void aMissingVariableIsAConfigurationErrorAtInitNamingIt(Emulator emulator) throws Exception {
        emulator = IamCoverageIT.front(emulator);
        World world = World.create(emulator);
        Map<String, String> environment = new HashMap<>(environment(world, "LockFunction"));
        assertTrue(environment.remove("TABLE_NAME") != null, "the template gives LockFunction TABLE_NAME");
        Run run = run("LockFunction", environment, emulator, Files.readString(Repo.events("lock.json")));

        assertEquals("init-error", run.outcome().kind(), run.toString());
        JsonNode error = Json.tree(run.outcome().body());
        assertEquals("dev.pushdeploy.error.ConfigurationException", error.path("errorType").asText(), run.outcome().body());
        assertTrue(error.path("errorMessage").asText().contains("TABLE_NAME"), run.outcome().body());
        jsonLines("LockFunction", run);
    }

    /** The function's variables as the template sets them, evaluated for World. */
    private static Map<String, String> environment(World world, String function) {
        Deployment stack = IamCoverageIT.stackFor(world, function);
        return FunctionEnvironment.of(stack, function);
    }

    private static Run run(String function, Map<String, String> variables, Emulator emulator, String event) throws Exception {
        String handler = Repo.template().properties(function).path("Handler").asText();
        try (FakeRuntimeApi api = new FakeRuntimeApi()) {
            api.enqueue(event);
            ProcessBuilder builder = RuntimeClient.builder(RuntimeClient.java(), function, handler, taskRoot, api,
                    emulator.endpoint(), variables);
            Path stdout = Files.createTempFile("runtime-client-", ".out");
            Path stderr = Files.createTempFile("runtime-client-", ".err");
            builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            try {
                FakeRuntimeApi.Outcome outcome = RuntimeClient.invoke(builder, api, Duration.ofSeconds(90)).outcome();
                return new Run(outcome, read(stdout), read(stderr), variables.get(FunctionEnvironment.JAVA_TOOL_OPTIONS));
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        }
    }

    private static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    }

    /** Every line the function printed, each one JSON object with a real level. */
    private static List<JsonNode> jsonLines(String function, Run run) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.stdout()) {
            JsonNode node;
            try {
                node = Json.tree(line);
            } catch (IllegalArgumentException e) {
                throw new AssertionError(function + " printed a line that is not JSON: " + line);
            }
            assertTrue(node.isObject(), function + " printed " + line);
            assertTrue(LEVELS.contains(node.path("level").asText()), function + " printed a line without a real level: " + line);
            lines.add(node);
        }
        List<String> jvm = run.javaToolOptions() == null ? List.of() : List.of("Picked up JAVA_TOOL_OPTIONS: " + run.javaToolOptions());
        assertEquals(jvm, run.stderr(), function + " wrote to stderr (the JVM announces the template's JAVA_TOOL_OPTIONS there, as on Lambda)");
        return lines;
    }
}
