package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.pushdeploy.local.moto.MotoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * How an execution ends from outside its states, as Step Functions records it: at the state machine's time limit
 * (TIMED_OUT) or at a StopExecution (ABORTED), the execution ends then, even with a Lambda call in flight, its history's
 * last event is the end's (ExecutionTimedOut, ExecutionAborted) dated at the execution's stopDate, nothing follows it
 * when the Lambda answers, and the history stays readable wherever in a Task state the end landed. The Lambda is a
 * stand-in answering after a random delay; the emulator here sends the interpreter's invokes to it.
 */
class ExecutionEndIT {
    private static final String LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:slow";
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";
    private static volatile int maxDelayMillis = 400;

    private static HttpServer lambda;
    private static ExecutorService lambdaThreads;
    private static MotoServer moto;
    private static SfnClient sfn;

    @BeforeAll
    static void start() throws IOException {
        lambdaThreads = Executors.newCachedThreadPool();
        lambda = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        lambda.setExecutor(lambdaThreads);
        lambda.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(maxDelayMillis + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "{\"answered\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        lambda.start();
        moto = MotoServer.start(lambda.getAddress().getPort());
        sfn = SfnClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stop() {
        if (sfn != null) {
            sfn.close();
        }
        if (moto != null) {
            moto.close();
        }
        lambda.stop(0);
        lambdaThreads.shutdownNow();
    }

    /** Twelve executions calling the Lambda in a loop, each ended by a two-second limit at whatever moment it reached. */
    @Test
    void theTimeLimitEndsAnExecutionAtTheLimitWhereverItIs() throws InterruptedException {
        maxDelayMillis = 400;
        String machine = loop("limited", 2);
        List<String> arns = start(machine, 12, 150);
        Map<String, ExecutionListItem> listed = awaitEnded(machine, arns.size(), Duration.ofSeconds(20));

        for (String arn : arns) {
            DescribeExecutionResponse described = sfn.describeExecution(r -> r.executionArn(arn));
            assertEquals("TIMED_OUT", described.statusAsString(), arn);
            assertNotNull(described.stopDate(), "DescribeExecution's stopDate of " + arn);
            long ran = Duration.between(described.startDate(), described.stopDate()).toMillis();
            assertTrue(ran >= 2_000 && ran < 2_050, arn + " ended " + ran + " ms after its start, not at its 2 s limit");
            assertEquals(null, described.error(), "no error of its own: States.Timeout is the history's");
            assertEquals(null, described.cause());
            assertEquals(described.stopDate(), listed.get(arn).stopDate(), "ListExecutions' stopDate of " + arn);
            HistoryEvent timedOut = assertEnd(arn, "ExecutionTimedOut", described.stopDate());
            assertEquals("States.Timeout", timedOut.executionTimedOutEventDetails().error(), arn);
        }
    }

    /** A stop while the Lambda runs: ABORTED at the stop, and the Lambda's late answer is not recorded. */
    @Test
    void aStopEndsAnExecutionAtTheStopWhileItsLambdaRuns() throws InterruptedException {
        maxDelayMillis = 1_500;
        String machine = loop("stopped", 3_600);
        List<String> arns = start(machine, 8, 0);
        for (String arn : arns) {
            Thread.sleep(ThreadLocalRandom.current().nextInt(300));
            Instant stopDate = sfn.stopExecution(r -> r.executionArn(arn).error("Operator").cause("stopped by the test")).stopDate();
            DescribeExecutionResponse described = sfn.describeExecution(r -> r.executionArn(arn));
            assertEquals("ABORTED", described.statusAsString(), arn + " at once");
            assertEquals(stopDate, described.stopDate(), arn);
            assertEquals("Operator", described.error(), "DescribeExecution keeps the stop's error");
            assertEquals("stopped by the test", described.cause());
        }
        Thread.sleep(maxDelayMillis + 500);

        for (String arn : arns) {
            HistoryEvent aborted = assertEnd(arn, "ExecutionAborted", sfn.describeExecution(r -> r.executionArn(arn)).stopDate());
            assertEquals("Operator", aborted.executionAbortedEventDetails().error(), arn);
            assertEquals("stopped by the test", aborted.executionAbortedEventDetails().cause(), arn);
        }
    }

    /**
     * A stop right after the start, while the emulator's interpreter still parses the definition (a long one takes it a
     * while, longer on a busy machine): the execution is ABORTED at once, its history ending there. The
     * stop answered 500 there (no environment to stop yet), or was answered and the execution ran on.
     */
    @Test
    void aStopRightAfterTheStartEndsTheExecution() throws InterruptedException {
        maxDelayMillis = 50;
        StringBuilder states = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            states.append("\"P%d\": {\"Type\": \"Pass\", \"Parameters\": {\"n\": %d, \"seen.$\": \"$\"}, \"Next\": \"P%d\"},"
                    .formatted(i, i, i + 1));
        }
        String definition = """
                {"StartAt": "P0", "States": {%s
                  "P400": {"Type": "Task", "Resource": "%s", "Next": "P400"}}}
                """.formatted(states, LAMBDA);
        String machine = sfn.createStateMachine(r -> r.name("long").definition(definition).roleArn(ROLE)).stateMachineArn();
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String name = "long-" + i;
            var started = sfn.startExecution(r -> r.stateMachineArn(machine).name(name));
            arns.add(started.executionArn());
            Instant stopDate = sfn.stopExecution(r -> r.executionArn(started.executionArn()).cause("stopped at its start")).stopDate();
            DescribeExecutionResponse described = sfn.describeExecution(r -> r.executionArn(started.executionArn()));
            assertEquals("ABORTED", described.statusAsString(), name + " at once");
            assertEquals(stopDate, described.stopDate(), name);
            assertTrue(!stopDate.isBefore(started.startDate()), name + " stopped at " + stopDate + ", before its start " + started.startDate());
        }
        Thread.sleep(500);
        for (String arn : arns) {
            assertEnd(arn, "ExecutionAborted", sfn.describeExecution(r -> r.executionArn(arn)).stopDate());
        }
    }

    /**
     * A runaway loop ends at the history's limit as on Step Functions: its last event, with the limit's number, is
     * ExecutionFailed (States.Runtime), the execution FAILED with that error and cause, nothing after it. The limit is
     * Step Functions' 25,000 unless a test lowers it; here 400, so that the loop reaches it in a second.
     */
    @Test
    void aRunawayLoopFailsAtTheHistoryLimit() throws InterruptedException {
        assertEquals(25_000, moto.control().historyLimit(null), "Step Functions' limit unless changed");
        moto.control().historyLimit(400);
        try {
            String machine = sfn.createStateMachine(r -> r.name("runaway").roleArn(ROLE)
                    .definition("{\"StartAt\": \"Loop\", \"States\": {\"Loop\": {\"Type\": \"Pass\", \"Next\": \"Loop\"}}}"))
                    .stateMachineArn();
            String arn = sfn.startExecution(r -> r.stateMachineArn(machine).name("runaway")).executionArn();
            awaitEnded(machine, 1, Duration.ofSeconds(30));

            DescribeExecutionResponse described = sfn.describeExecution(r -> r.executionArn(arn));
            String cause = "The execution reached the maximum number of history events (400).";
            assertEquals(List.of("FAILED", "States.Runtime", cause), List.of(described.statusAsString(), described.error(), described.cause()));
            Thread.sleep(500);
            List<HistoryEvent> newest = sfn.getExecutionHistory(r -> r.executionArn(arn).reverseOrder(true).maxResults(2)).events();
            HistoryEvent failed = newest.get(0);
            assertEquals(List.of(400L, 399L), List.of(failed.id(), failed.previousEventId()), "the limit's event is the failure");
            assertEquals("ExecutionFailed", failed.typeAsString());
            assertEquals(List.of("States.Runtime", cause),
                    List.of(failed.executionFailedEventDetails().error(), failed.executionFailedEventDetails().cause()));
            assertEquals("PassStateExited", newest.get(1).typeAsString());
            assertEquals(described.stopDate(), failed.timestamp());
        } finally {
            moto.control().historyLimit(25_000);
        }
    }

    /** Starts {@code count} executions of {@code machine}, named after it, up to {@code spreadMillis} apart. */
    private static List<String> start(String machine, int count, int spreadMillis) throws InterruptedException {
        String prefix = machine.substring(machine.lastIndexOf(':') + 1);
        List<String> arns = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            arns.add(sfn.startExecution(r -> r.stateMachineArn(machine).name(name)).executionArn());
            Thread.sleep(ThreadLocalRandom.current().nextInt(spreadMillis + 1));
        }
        return arns;
    }

    private static String loop(String name, int timeoutSeconds) {
        String definition = """
                {"StartAt": "Call", "TimeoutSeconds": %d, "States": {
                  "Call": {"Type": "Task", "Resource": "%s", "TimeoutSeconds": 30, "Next": "Call"}}}
                """.formatted(timeoutSeconds, LAMBDA);
        return sfn.createStateMachine(r -> r.name(name).definition(definition).roleArn(ROLE)).stateMachineArn();
    }

    private static Map<String, ExecutionListItem> awaitEnded(String machine, int count, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        List<ExecutionListItem> executions = List.of();
        while (System.nanoTime() < deadline) {
            executions = sfn.listExecutions(r -> r.stateMachineArn(machine)).executions();
            if (executions.size() == count && executions.stream().noneMatch(e -> e.statusAsString().equals("RUNNING"))) {
                return executions.stream().collect(Collectors.toMap(ExecutionListItem::executionArn, Function.identity()));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ended within " + within + ": "
                + executions.stream().map(e -> e.name() + " " + e.statusAsString()).toList());
    }

    /** The history ends with one event of {@code type}, dated at the stop, and no other ending anywhere in it. */
    private static HistoryEvent assertEnd(String arn, String type, Instant stopDate) {
        List<HistoryEvent> events = sfn.getExecutionHistory(r -> r.executionArn(arn).maxResults(1000)).events();
        List<String> types = events.stream().map(HistoryEvent::typeAsString).toList();
        HistoryEvent last = events.get(events.size() - 1);
        assertEquals(type, last.typeAsString(), arn + ": " + types);
        assertEquals(1, types.stream().filter(t -> t.startsWith("Execution") && !t.equals("ExecutionStarted")).count(),
                arn + " has one ending: " + types);
        assertEquals(stopDate, last.timestamp(), arn + "'s " + type + " is dated at its stopDate");
        assertEquals(0, last.previousEventId(), arn + "'s " + type + " follows no event, as on Step Functions");
        return last;
    }
}
