package dev.pushdeploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.ops.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator commands as an operator meets them against AWS (the default credential chain, {@code --region},
 * {@code --endpoint-url}), answered by a small fake of the three APIs these commands call first: CloudFormation's
 * DescribeStacks (the pipeline's outputs), Step Functions' DescribeExecution and StopExecution. Every request the
 * CLI sends is recorded, so a test can tell whether a command changed anything in AWS.
 */
class OperatorCommandsTest {
    static final String ACCOUNT = "123456789012";
    static final String STATE_MACHINE = "arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:pushdeploy-Deploy";
    static final String RELEASE_STATE_MACHINE = "arn:aws:states:us-east-1:" + ACCOUNT + ":stateMachine:pushdeploy-Release";

    private HttpServer aws;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final List<JsonNode> stops = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private String savedKey;
    private String savedSecret;

    @BeforeEach
    void fakeAws() throws IOException {
        aws = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        aws.createContext("/", this::answer);
        aws.start();
        savedKey = System.getProperty("aws.accessKeyId");
        savedSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "secret");
    }

    @AfterEach
    void stop() {
        aws.stop(0);
        restore("aws.accessKeyId", savedKey);
        restore("aws.secretAccessKey", savedSecret);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String reply;
        String type = "application/x-amz-json-1.0";
        if (target == null && body.contains("Action=DescribeStacks")) {
            calls.add("cloudformation:DescribeStacks");
            type = "text/xml";
            reply = "<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>pushdeploy</StackName><Outputs>"
                    + output("StateMachineArn", STATE_MACHINE) + output("ReleaseStateMachineArn", RELEASE_STATE_MACHINE)
                    + output("DeploymentTableName", "pushdeploy-deployments") + output("ConfigParameterName", "/pushdeploy/config")
                    + "</Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
        } else if ("AWSStepFunctions.DescribeExecution".equals(target)) {
            calls.add("states:DescribeExecution");
            String arn = Json.tree(body).path("executionArn").asText();
            reply = Json.object().put("executionArn", arn).put("name", arn.substring(arn.lastIndexOf(':') + 1))
                    .put("stateMachineArn", arn.substring(0, arn.lastIndexOf(':')).replace(":execution:", ":stateMachine:"))
                    .put("status", "RUNNING").put("startDate", 1.7e9).put("input", "{}").toString();
        } else if ("AWSStepFunctions.StopExecution".equals(target)) {
            calls.add("states:StopExecution");
            stops.add(Json.tree(body));
            reply = "{\"stopDate\": 1.7e9}";
        } else {
            calls.add(String.valueOf(target));
            reply = "{}";
        }
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /**
     * {@code cancel} takes any execution ARN and stops it, though the pipeline it names ({@code --stack}) has nothing to
     * do with it: an ARN pasted from another stack (staging's run while {@code --stack production}, or another team's
     * state machine in the same account) is stopped, and the CLI says the reconciler releases its lock, which no
     * reconciler of this pipeline ever hears of. An ARN must be of the pipeline's own state machines.
     */
    @Test
    void cancelRefusesAnExecutionOfAStateMachineThatIsNotThePipelines() {
        String foreign = "arn:aws:states:us-east-1:" + ACCOUNT + ":execution:billing-NightlyExport:export-2026-05-01";

        int code = run("cancel", foreign);

        assertTrue(stops.isEmpty(), "cancel stopped an execution of another state machine than the pipeline's ("
                + STATE_MACHINE + " or " + RELEASE_STATE_MACHINE + "): " + printed());
        assertEquals(Main.FAILED, code, printed());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("EXECUTION"), "the error names EXECUTION: " + printed());
    }

    /**
     * {@code deploy}, {@code rollback} and {@code rotate} refuse a {@code --reason} the workflow would refuse (a control
     * character) before any AWS call; {@code cancel --reason} is not checked at all: a multi-line (or escape-sequence)
     * reason goes into StopExecution's cause, which the reconciler copies into the run's history record, and
     * {@code pushdeploy history} prints it raw to the operator's terminal.
     */
    @Test
    void cancelChecksItsReasonBeforeStoppingAnything() {
        int code = run("cancel", STATE_MACHINE.replace(":stateMachine:", ":execution:") + ":deploy-web-v1-2-0-20260501-120000-abcd", "--reason", "hotfix\n\u001b[2Jsee ticket 42");

        assertTrue(stops.isEmpty(), "cancel --reason with a newline and an escape sequence stopped the run with that cause: "
                + printed());
        assertEquals(Main.FAILED, code, printed());
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--reason"), "the error names --reason: " + printed());
    }

    private static String output(String key, String value) {
        return "<member><OutputKey>" + key + "</OutputKey><OutputValue>" + value + "</OutputValue></member>";
    }

    private int run(String... args) {
        List<String> all = new ArrayList<>(List.of("--endpoint-url", "http://127.0.0.1:" + aws.getAddress().getPort(),
                "--region", "us-east-1", "--stack", "pushdeploy"));
        all.addAll(List.of(args));
        return Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String printed() {
        return "\n--- stdout\n" + out.toString(StandardCharsets.UTF_8) + "\n--- stderr\n" + err.toString(StandardCharsets.UTF_8)
                + "\n--- AWS calls\n" + calls + "\n--- StopExecution requests\n" + stops;
    }
}
