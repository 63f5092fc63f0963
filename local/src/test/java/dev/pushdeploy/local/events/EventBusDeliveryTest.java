package dev.pushdeploy.local.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.moto.InterpreterClock;
import dev.pushdeploy.local.moto.MotoControl;
import dev.pushdeploy.local.run.EventEnvelope;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.time.SimulatedClock;
import dev.pushdeploy.local.time.TimeKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local event bus's delivery against EventBridge's (and, for function targets, Lambda's
 * asynchronous invocation's) documented behaviour, for the target settings template.yaml uses: the push
 * rule's state machine target has {@code RetryPolicy} (20 attempts, 3600 s) and a {@code DeadLetterConfig}
 * (PushDeadLetterQueue); the reconciler's function has {@code EventInvokeConfig} with an on-failure
 * destination (ReconcileDeadLetterQueue). The bus is driven on a manual clock, its rules are the template's
 * own ({@link PipelineTemplate#rules()}), and a recording target stands in for Step Functions, Lambda and SQS.
 */
class EventBusDeliveryTest {
    private static final PipelineTemplate STACK = PipelineTemplate.expand(Path.of("..", "template.yaml"), Map.of())
            .deploy(name -> Optional.of("none"), PipelineTemplate.localNames().withPlaceholders());

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-06T10:00:00Z"));
    private final TimeKeeper keeper = new TimeKeeper(new SimulatedClock(), new NeverIdle(), line -> { });
    private final List<String[]> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        keeper.close();
    }

    /**
     * EventBridge sends an event that exhausted its target's retries to the target's dead-letter queue;
     * the local bus drops it.
     *
     * <p>"If an event isn't delivered after all retry attempts are exhausted, the event is dropped and
     * EventBridge doesn't continue to process it. To avoid losing events after they fail to be delivered to a
     * target, configure a dead-letter queue (DLQ) to receive all failed events."
     * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html). The push rule's
     * target configures one (PushDeadLetterQueue, watched by DeadLetterAlarm and redriven by operators); a push
     * whose StartExecution fails for good must land there, not vanish.
     */
    @Test
    void aPushWhoseStartExecutionFailsForGoodReachesThePushRulesDeadLetterQueue() {
        String stateMachine = STACK.deployment().ref("StateMachine");
        String deadLetters = STACK.deployment().getAtt("PushDeadLetterQueue", "Arn");
        LocalEventBus bus = bus((arn, attemptAt) -> arn.equals(stateMachine));

        List<String> matched = bus.put(LocalRuntime.ecrPushEvent("web", "v1.2.0", "sha256:" + "a".repeat(64)));
        assertEquals(List.of("PushRule"), matched, "the push reaches the push rule");
        runFor(bus, Duration.ofHours(25));

        long startAttempts = calls.stream().filter(c -> c[0].equals(stateMachine)).count();
        assertTrue(startAttempts > 0, "the state machine was tried");
        assertTrue(calls.stream().anyMatch(c -> c[0].equals(deadLetters)),
                "after " + startAttempts + " failed StartExecution attempts the push event should have been sent to the rule"
                        + " target's DeadLetterConfig " + deadLetters + " (as EventBridge does); the local bus sent it to "
                        + calls.stream().map(c -> c[0]).distinct().toList() + " and logged " + log);
    }

    /**
     * EventBridge keeps retrying a target within its {@code RetryPolicy}; the local bus gives up after three
     * attempts within three minutes whatever the policy says.
     *
     * <p>"When an event isn't successfully delivered to a target because of retriable errors, EventBridge
     * retries sending the event. You set the length of time it tries, and number of retry attempts in the Retry
     * policy settings for the target. By default, EventBridge retries sending the event for 24 hours and up to 185
     * times with an exponential back off and jitter" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html);
     * "Retry attempts continue until either the maximum number of attempts is made or until the duration of the
     * MaximumEventAgeInSeconds is met" (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html).
     * The push rule's target sets MaximumRetryAttempts 20 and MaximumEventAgeInSeconds 3600: after three throttled
     * StartExecution attempts within three minutes neither limit is met, so EventBridge tries again and the
     * fourth attempt starts the deployment; locally the push is lost.
     */
    @Test
    void aPushIsStillDeliveredWhenStartExecutionRecoversWithinTheRulesRetryPolicy() {
        String stateMachine = STACK.deployment().ref("StateMachine");
        long published = clock.millis();
        AtomicInteger startAttempts = new AtomicInteger();
        LocalEventBus bus = bus((arn, attemptAt) -> arn.equals(stateMachine) && startAttempts.incrementAndGet() <= 3);

        bus.put(LocalRuntime.ecrPushEvent("web", "v1.2.0", "sha256:" + "b".repeat(64)));
        runFor(bus, Duration.ofHours(2));

        List<LocalEventBus.Delivery> deliveries = bus.delivered();
        assertEquals(1, deliveries.size(), "one outcome for the one target: " + deliveries);
        LocalEventBus.Delivery delivery = deliveries.get(0);
        assertFalse(delivery.failed(),
                "StartExecution failed its first 3 attempts only and the push rule's RetryPolicy allows 20 retries over"
                        + " 3600 s, but the local bus dropped the push after " + delivery.attempts() + " attempts, "
                        + (delivery.deliveredAt() - published) / 1000 + " s after it was published (no 4th attempt)");
    }

    /**
     * Lambda sends an asynchronous invocation that failed every attempt to the function's on-failure
     * destination; the local bus drops it.
     *
     * <p>"When an event fails all processing attempts or stays in the asynchronous invocation queue for too long,
     * Lambda discards it. ... To send an invocation record to a queue, topic, function, or event bus, specify a
     * destination. You can configure separate destinations for successful invocations (on-success) and events that
     * fail all processing attempts (on-failure)." (PutFunctionEventInvokeConfig, as the SDK reference quotes it:
     * https://docs.rs/aws-sdk-lambda/latest/aws_sdk_lambda/operation/put_function_event_invoke_config/builders/struct.PutFunctionEventInvokeConfigFluentBuilder.html);
     * "Configure a function to send a record of failed asynchronous invocations to an SQS queue."
     * (https://docs.aws.amazon.com/zh_tw/AWSCloudFormation/latest/UserGuide/aws-properties-lambda-eventinvokeconfig-onfailure.html,
     * English text). EventBridge invokes a
     * function target asynchronously; ReconcileFunction's EventInvokeConfig names ReconcileDeadLetterQueue as its
     * OnFailure destination (README: "Lambda's two retries, then the same queue"). An execution end the
     * reconciler could not account for must reach that queue (and ReconcileDeadLetterAlarm), not vanish.
     */
    @Test
    void anExecutionEndTheReconcilerFailsOnEveryAttemptReachesItsOnFailureDestination() {
        String reconciler = STACK.rules().stream().filter(r -> r.name().equals("ExecutionEndedRule")).findFirst()
                .orElseThrow().targets().get(0);
        String deadLetters = STACK.deployment().getAtt("ReconcileDeadLetterQueue", "Arn");
        LocalEventBus bus = bus((arn, attemptAt) -> arn.equals(reconciler));

        String stateMachine = STACK.deployment().ref("StateMachine");
        String execution = stateMachine.replace(":stateMachine:", ":execution:") + ":run-1";
        ObjectNode end = EventEnvelope.of("aws.states", "Step Functions Execution Status Change", execution,
                clock.millis() / 1000.0);
        end.putObject("detail").put("executionArn", execution).put("stateMachineArn", stateMachine).put("name", "run-1")
                .put("status", "FAILED").put("startDate", clock.millis() - 60_000).put("stopDate", clock.millis());
        assertEquals(List.of("ExecutionEndedRule"), bus.put(end), "the end reaches the reconciler's rule");
        runFor(bus, Duration.ofHours(2));

        long attempts = calls.stream().filter(c -> c[0].equals(reconciler)).count();
        assertEquals(3, attempts, "Lambda runs a failing asynchronous invocation three times (MaximumRetryAttempts: 2)");
        assertTrue(calls.stream().anyMatch(c -> c[0].equals(deadLetters)),
                "after the reconciler failed all " + attempts + " attempts, the invocation record should have reached its"
                        + " OnFailure destination " + deadLetters + "; the local bus sent nothing there (targets called: "
                        + calls.stream().map(c -> c[0]).distinct().toList() + ")");
    }

    // ------------------------------------------------------------------ harness

    /** A bus on the template's rules whose target fails when {@code fails(targetArn, simulatedMillis)}. */
    private LocalEventBus bus(BiPredicate<String, Long> fails) {
        return new LocalEventBus(STACK.rules(), clock, keeper, (arn, event) -> {
            inFlight.incrementAndGet();
            try {
                calls.add(new String[] {arn, event});
                if (fails.test(arn, clock.millis())) {
                    throw new IllegalStateException("ThrottlingException: Rate exceeded (" + arn + ")");
                }
                return "ok";
            } finally {
                inFlight.decrementAndGet();
            }
        }, log::add);
    }

    /** Runs the bus's agenda up to {@code span} of simulated time from now, letting each delivery finish. */
    private void runFor(LocalEventBus bus, Duration span) {
        long end = clock.millis() + span.toMillis();
        while (true) {
            settle();
            OptionalLong next = bus.nextAt();
            if (next.isEmpty() || next.getAsLong() > end) {
                break;
            }
            clock.set(Instant.ofEpochMilli(Math.max(clock.millis(), next.getAsLong())));
            bus.runUntil(clock.millis());
        }
        clock.set(Instant.ofEpochMilli(end));
    }

    private void settle() {
        try {
            Thread.sleep(100);
            for (int i = 0; i < 100 && inFlight.get() > 0; i++) {
                Thread.sleep(20);
            }
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An interpreter that is never idle: the time keeper never moves its own clock during these tests. */
    private static final class NeverIdle implements InterpreterClock {
        @Override
        public MotoControl.Idle idle(Duration wait) {
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new MotoControl.Idle(1, false, OptionalDouble.empty(), 0);
        }

        @Override
        public double advance(double epochSeconds) {
            return 0;
        }
    }
}
