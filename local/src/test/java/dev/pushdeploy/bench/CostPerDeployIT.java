package dev.pushdeploy.bench;

import static dev.pushdeploy.testing.HistoryEvents.lastExitedAt;
import static dev.pushdeploy.testing.HistoryEvents.scanEventAt;
import static dev.pushdeploy.testing.HistoryEvents.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.events.LocalEventBus;
import dev.pushdeploy.local.lambda.FunctionSpec;
import dev.pushdeploy.local.lambda.LambdaRuntime;
import dev.pushdeploy.local.run.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * What one deploy costs and how fast it learns how its rollout ended, from real runs through the
 * state machine on simulated time, for rollouts of 1, 5, 15 and 55 simulated minutes, healthy and
 * crash-looping (rolled back), each with the tightest deadline a user would give it (the default 15 minutes,
 * then 20 minutes and the longest, an hour): the watch rechecks after a quarter of the deadline window, so the
 * tighter the deadline, the more rechecks a rollout of that length costs:
 * <ul>
 *   <li>state transitions (every state entered; Step Functions Standard bills each), Lambda
 *       invocations (the workflow's and the event rules') and GB-seconds (in-process durations,
 *       so a lower bound, at the template's memory and the arm64 price of its architecture);</li>
 *   <li>detection lag: from the moment ECS reported what decides the verdict (the deployment
 *       COMPLETED or FAILED event, or the stop of one of our tasks) to the workflow holding the
 *       final verdict, both in simulated time.</li>
 * </ul>
 * Printed and written to
 * {@code target/bench/cost-per-deploy.txt}; the README quotes it. Figures are printed, not
 * asserted: the test asserts only that each run ended as it must.
 */
class CostPerDeployIT {
    static final double MEMORY_GB = 1.0;
    static final double USD_PER_TRANSITION = 0.025 / 1000;
    /** Lambda on arm64 (the template's Architectures), us-east-1. */
    static final double USD_PER_GB_SECOND = 0.0000133334;
    static final double USD_PER_REQUEST = 0.20 / 1_000_000;
    static final Set<String> FINAL = Set.of("HEALTHY", "FAILED", "ROLLED_BACK_BY_ECS", "TIMED_OUT");
    /** Rollout length (simulated seconds) and its deadline (DeploymentDeadlineSeconds). */
    static final int[][] ROLLOUTS = {{60, 900}, {300, 900}, {900, 1200}, {3300, 3600}};

    static LocalRuntime runtime;

    record Cost(int rolloutSeconds, int deadlineSeconds, String scenario, String outcome, int transitions, int invocations, double gbSeconds,
                double lagSeconds) {
        double usd() {
            return transitions * USD_PER_TRANSITION + invocations * USD_PER_REQUEST + gbSeconds * USD_PER_GB_SECOND;
        }
    }

    @BeforeAll
    static void start() {
        runtime = LocalRuntime.start(new LocalRuntime.Options(TestRuntime.root(), TestRuntime.FUNCTION_LOG::add, null, false));
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void healthyAndRolledBackDeploysOfOneFiveFifteenAndFiftyFiveMinutes() throws IOException {
        measure(60, 900, Scenario.HEALTHY);
        List<Cost> costs = new ArrayList<>();
        for (int[] rollout : ROLLOUTS) {
            costs.add(measure(rollout[0], rollout[1], Scenario.HEALTHY));
            costs.add(measure(rollout[0], rollout[1], Scenario.CRASH_LOOP));
        }
        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-8s %-9s %-11s %-12s %11s %11s %8s %10s %9s",
                "rollout", "deadline", "scenario", "outcome", "transitions", "invocations", "GB-s", "USD", "lag s"));
        for (Cost c : costs) {
            assertEquals(c.scenario().equals("healthy") ? "SUCCEEDED" : "ROLLED_BACK", c.outcome(), c.toString());
            report.add(String.format(Locale.ROOT, "%-8s %-9s %-11s %-12s %11d %11d %8.3f %10.6f %9.2f",
                    c.rolloutSeconds() / 60 + " min", c.deadlineSeconds() / 60 + " min", c.scenario(), c.outcome(), c.transitions(), c.invocations(),
                    c.gbSeconds(), c.usd(), c.lagSeconds()));
        }
        Queued queued = queued(600, 900);
        report.add(String.format(Locale.ROOT, "queued behind a 10 min rollout: %s after %.0f s in WaitForLock (entered %d times), "
                + "%d transitions; lock taken %.2f s after the holder's run ended", queued.result().outcome(), queued.waitedSeconds(),
                queued.waits(), queued.transitions(), queued.wakeLagSeconds()));
        assertEquals("SUCCEEDED", queued.result().outcome(), queued.result().reason());
        for (int scanSeconds : new int[] {60, 600}) {
            Scanned scanned = scanned(scanSeconds);
            assertEquals("SUCCEEDED", scanned.result().outcome(), scanned.result().reason());
            report.add(String.format(Locale.ROOT, "scan gate on, a %d min scan: %d transitions in the gate (WaitForScan entered %d times), "
                    + "%d in all; answered %.2f s after ECR's scan event", scanSeconds / 60, scanned.gateTransitions(), scanned.waits(),
                    scanned.transitions(), scanned.lagSeconds()));
        }
        report.add(String.format(Locale.ROOT, "max transitions: healthy %d, rolled back %d; max detection lag %.2f s",
                costs.stream().filter(c -> c.scenario().equals("healthy")).mapToInt(Cost::transitions).max().orElseThrow(),
                costs.stream().filter(c -> !c.scenario().equals("healthy")).mapToInt(Cost::transitions).max().orElseThrow(),
                costs.stream().mapToDouble(Cost::lagSeconds).max().orElseThrow()));
        Path out = Files.createDirectories(Path.of("target", "bench"));
        Files.write(out.resolve("cost-per-deploy.txt"), report);
        report.forEach(System.out::println);
    }

    private static Cost measure(int rolloutSeconds, int deadlineSeconds, Scenario scenario) {
        runtime.reset(Map.of("DeploymentDeadlineSeconds", Integer.toString(deadlineSeconds)));
        runtime.simulator().rolloutSeconds(rolloutSeconds);
        String repository = runtime.stack().service().target().repository();
        String digest = runtime.pushImage(repository, "v1.1.0");
        RunResult result = runtime.run(LocalRuntime.ecrPushEvent(repository, "v1.1.0", digest).toString(), scenario, null,
                line -> { });
        JsonNode history = result.history();
        int transitions = 0;
        for (JsonNode event : history) {
            if (event.path("type").asText().endsWith("StateEntered")) {
                transitions++;
            }
        }
        int invocations = 0;
        long billedMillis = 0;
        for (FunctionSpec f : runtime.lambdas().functions()) {
            invocations += runtime.lambdas().invocations(f.name());
            billedMillis += runtime.lambdas().billedMillis(f.name());
        }
        assertTrue(transitions > 0 && invocations > 0, "history of " + scenario + ": " + transitions + "/" + invocations);
        return new Cost(rolloutSeconds, deadlineSeconds, scenario.cliName(), result.outcome(), transitions, invocations,
                billedMillis / 1000.0 * MEMORY_GB, lagSeconds(history, runtime.bus().published()));
    }

    record Queued(RunResult result, int transitions, int waits, double waitedSeconds, double wakeLagSeconds) {
    }

    record Scanned(RunResult result, int gateTransitions, int waits, int transitions, double lagSeconds) {
    }

    /**
     * A healthy deploy with the scan gate on (CRITICAL: the scan's one HIGH passes) of a new image whose scan takes
     * {@code scanSeconds}, a 1-minute rollout: the gate's transitions, and the simulated time from ECR's scan event to
     * the run leaving its wait.
     */
    private static Scanned scanned(int scanSeconds) {
        runtime.reset("CRITICAL");
        runtime.simulator().rolloutSeconds(60);
        runtime.scans().scanSeconds(scanSeconds);
        String repository = runtime.stack().service().target().repository();
        String digest = runtime.pushImage(repository, "v1.3.0");
        RunResult result = runtime.run(LocalRuntime.ecrPushEvent(repository, "v1.3.0", digest).toString(), Scenario.HEALTHY, null,
                line -> { });
        int transitions = 0;
        int gate = 0;
        int waits = 0;
        for (JsonNode event : result.history()) {
            String type = event.path("type").asText();
            String state = event.path("stateEnteredEventDetails").path("name").asText();
            if (type.endsWith("StateEntered")) {
                transitions++;
                gate += Set.of("ScanGate", "ScanDecision", "WaitForScan").contains(state) ? 1 : 0;
                waits += state.equals("WaitForScan") ? 1 : 0;
            }
        }
        double lag = lastExitedAt(result.history(), "WaitForScan") - scanEventAt(runtime.bus(), digest);
        return new Scanned(result, gate, waits, transitions, lag);
    }

    /**
     * A healthy deploy pushed while another deploy of the service rolls out ({@code rolloutSeconds} each): it waits for
     * the lock's turn, is woken when the first run ends, and deploys. Its transitions, and the simulated time from the
     * first run's end to its taking the lock.
     */
    private static Queued queued(int rolloutSeconds, int deadlineSeconds) {
        runtime.reset(Map.of("DeploymentDeadlineSeconds", Integer.toString(deadlineSeconds)));
        runtime.simulator().rolloutSeconds(rolloutSeconds);
        String repository = runtime.stack().service().target().repository();
        String first = runtime.pushImage(repository, "v1.1.0");
        LambdaRuntime.Hold firstCheck = runtime.lambdas().hold("CheckDeploymentFunction",
                runtime.lambdas().invocations("CheckDeploymentFunction") + 1);
        LocalRuntime.Run holder = runtime.start(LocalRuntime.ecrPushEvent(repository, "v1.1.0", first).toString(), Scenario.HEALTHY,
                "holder", line -> { });
        try {
            assertTrue(firstCheck.awaitArrival(Duration.ofMinutes(2)), "the first run holds the lock and checks its rollout");
            String second = runtime.pushImage(repository, "v1.2.0");
            LocalRuntime.Run waiting = runtime.start(LocalRuntime.ecrPushEvent(repository, "v1.2.0", second).toString(),
                    Scenario.HEALTHY, "queued", line -> { });
            awaitState(runtime.executionArn("queued"), "WaitForLock");
            firstCheck.release();
            RunResult held = holder.await();
            RunResult result = waiting.await();
            assertEquals("SUCCEEDED", held.outcome(), held.reason());
            int transitions = 0;
            int waits = 0;
            double firstWait = Double.NaN;
            double acquired = Double.NaN;
            for (JsonNode event : result.history()) {
                String type = event.path("type").asText();
                if (type.endsWith("StateEntered")) {
                    transitions++;
                    if (event.path("stateEnteredEventDetails").path("name").asText().equals("WaitForLock")) {
                        waits++;
                        firstWait = Double.isNaN(firstWait) ? seconds(event) : firstWait;
                    }
                }
                if (Double.isNaN(acquired) && "ACQUIRED".equals(output(event).path("status").asText())) {
                    acquired = seconds(event);
                }
            }
            double heldEnded = seconds(held.history().get(held.history().size() - 1));
            return new Queued(result, transitions, waits, acquired - firstWait, acquired - heldEnded);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            firstCheck.release();
        }
    }

    private static void awaitState(String executionArn, String state) throws InterruptedException {
        SfnClient sfn = runtime.clients().build(SfnClient.builder());
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            boolean entered = sfn.getExecutionHistory(r -> r.executionArn(executionArn).reverseOrder(true).maxResults(20)).events()
                    .stream().anyMatch(e -> e.stateEnteredEventDetails() != null && state.equals(e.stateEnteredEventDetails().name()));
            if (entered) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(executionArn + " never entered " + state);
    }

    /**
     * From the last ECS event about our deployment that could decide the verdict, reported before
     * the workflow held it, to the first final verdict in the history (simulated seconds).
     */
    static double lagSeconds(JsonNode history, List<LocalEventBus.Published> published) {
        String deploymentId = null;
        double known = Double.NaN;
        for (JsonNode event : history) {
            JsonNode output = output(event);
            if (deploymentId == null && output.path("deploymentId").isTextual() && output.has("started")) {
                deploymentId = output.get("deploymentId").asText();
            }
            if (Double.isNaN(known) && FINAL.contains(output.path("verdict").asText())) {
                known = seconds(event);
            }
        }
        assertTrue(deploymentId != null && !Double.isNaN(known), "no deployment or no final verdict in the history");
        double reported = Double.NaN;
        for (LocalEventBus.Published p : published) {
            JsonNode detail = p.event().path("detail");
            boolean decisive = switch (p.event().path("detail-type").asText()) {
                case "ECS Deployment State Change" -> deploymentId.equals(detail.path("deploymentId").asText())
                        && Set.of("SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED").contains(detail.path("eventName").asText());
                case "ECS Task State Change" -> deploymentId.equals(detail.path("startedBy").asText())
                        && "STOPPED".equals(detail.path("lastStatus").asText());
                default -> false;
            };
            if (decisive && p.at() / 1000.0 <= known) {
                reported = p.at() / 1000.0;
            }
        }
        assertTrue(!Double.isNaN(reported), "ECS reported nothing about deployment " + deploymentId + " before the verdict");
        return known - reported;
    }

    private static JsonNode output(JsonNode historyEvent) {
        for (String details : List.of("lambdaFunctionSucceededEventDetails", "taskSucceededEventDetails")) {
            JsonNode output = historyEvent.path(details).path("output");
            if (output.isTextual()) {
                return Json.tree(output.asText());
            }
        }
        return Json.object();
    }
}
