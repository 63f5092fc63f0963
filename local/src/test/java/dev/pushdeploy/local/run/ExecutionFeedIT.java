package dev.pushdeploy.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.moto.MotoServer;
import dev.pushdeploy.local.time.SimulatedClock;
import dev.pushdeploy.local.time.TimeKeeper;
import dev.pushdeploy.ops.StepFunctions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The feed goes on past a status change of an execution the emulator no longer has (a reset removed it while
 * its interpreter ran on): that change is logged and left unpublished, and the next execution's changes reach
 * the bus as before.
 */
class ExecutionFeedIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/states";

    @Test
    void aChangeOfAnExecutionRemovedByAResetIsSkipped() throws Exception {
        List<ObjectNode> published = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        try (MotoServer moto = MotoServer.start();
             SfnClient sfn = SfnClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                     .httpClient(UrlConnectionHttpClient.create()).build()) {
            String waiting = sfn.createStateMachine(r -> r.name("waiting").roleArn(ROLE)
                    .definition("{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 60, \"End\": true}}}"))
                    .stateMachineArn();
            String removed = sfn.startExecution(r -> r.stateMachineArn(waiting).name("removed")).executionArn();
            moto.reset();

            try (TimeKeeper keeper = new TimeKeeper(new SimulatedClock(), moto.control(), log::add);
                 ExecutionFeed feed = new ExecutionFeed(moto.control(), new StepFunctions(sfn), keeper, published::add, log::add)) {
                String passing = sfn.createStateMachine(r -> r.name("passing").roleArn(ROLE)
                        .definition("{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}"))
                        .stateMachineArn();
                String next = sfn.startExecution(r -> r.stateMachineArn(passing).name("next")).executionArn();

                assertEquals(Optional.of("SUCCEEDED"), feed.awaitEnd(next, Duration.ofSeconds(20)), "log: " + log);
                awaitLogged(log, removed + " SUCCEEDED: no such execution");
                assertTrue(log.stream().anyMatch(line -> line.contains(removed + " RUNNING: no such execution")), "log: " + log);
                assertEquals(List.of("RUNNING", "SUCCEEDED"), published.stream()
                        .map(event -> event.path("detail").path("status").asText()).toList(), "only the next execution's: " + published);
                assertTrue(published.stream().allMatch(event -> event.path("detail").path("executionArn").asText().equals(next)));
            }
        }
    }

    private static void awaitLogged(List<String> log, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (log.stream().noneMatch(line -> line.contains(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not logged within 20 s: " + text + "; log: " + log);
            }
            Thread.sleep(100);
        }
    }
}
