package dev.pushdeploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cost per deploy: what one deploy costs, counted from the execution history of real runs through the
 * state machine: state transitions (Step Functions Standard bills each), Lambda invocations, and
 * Lambda GB-seconds (invocation time from the history × the template's 1024 MB). The handlers run
 * in process here, so their durations are lower bounds of what Lambda bills (no network to AWS);
 * transitions and invocations are exact. A first, unreported run loads the handlers' classes (Lambda
 * does not bill a managed runtime's init phase). Printed and written to {@code target/bench/cost-per-deploy.txt}.
 */
class CostPerDeployIT {
    static final double MEMORY_GB = 1.0;
    static final double USD_PER_TRANSITION = 0.025 / 1000;
    static final double USD_PER_GB_SECOND = 0.0000166667;
    static final double USD_PER_REQUEST = 0.20 / 1_000_000;

    record Cost(String run, String outcome, int transitions, int invocations, double gbSeconds) {
        double usd() {
            return transitions * USD_PER_TRANSITION + invocations * USD_PER_REQUEST + gbSeconds * USD_PER_GB_SECOND;
        }
    }

    @Test
    void aTypicalDeployAndARolledBackOne() throws IOException {
        measure("warm-up (not reported)", "v1.1.0", Scenario.HEALTHY);
        List<Cost> costs = new ArrayList<>();
        costs.add(measure("healthy deploy", "v1.1.0", Scenario.HEALTHY));
        costs.add(measure("crash-loop, rolled back", "v1.1.0", Scenario.fromCliName("crash-loop")));

        assertEquals("SUCCEEDED", costs.get(0).outcome());
        assertEquals("ROLLED_BACK", costs.get(1).outcome());
        assertTrue(costs.get(1).transitions() > costs.get(0).transitions(), "a rollback costs more transitions");

        List<String> report = new ArrayList<>();
        report.add(String.format(Locale.ROOT, "%-26s %-12s %11s %11s %11s %12s",
                "run", "outcome", "transitions", "invocations", "GB-s", "USD"));
        for (Cost c : costs) {
            report.add(String.format(Locale.ROOT, "%-26s %-12s %11d %11d %11.3f %12.6f",
                    c.run(), c.outcome(), c.transitions(), c.invocations(), c.gbSeconds(), c.usd()));
        }
        Path out = Files.createDirectories(Path.of("target", "bench"));
        Files.write(out.resolve("cost-per-deploy.txt"), report);
        report.forEach(System.out::println);
    }

    private static Cost measure(String name, String tag, Scenario scenario) {
        LocalRuntime runtime = TestRuntime.fresh();
        String repository = runtime.stack().service().target().repository();
        String digest = runtime.pushImage(repository, tag);
        RunResult result = runtime.run(LocalRuntime.ecrPushEvent(repository, tag, digest).toString(), scenario, null, line -> { });
        int transitions = 0;
        int invocations = 0;
        double seconds = 0;
        Map<Long, Double> started = new HashMap<>();
        for (JsonNode event : result.history()) {
            String type = event.path("type").asText();
            double at = event.path("timestamp").asDouble();
            if (type.endsWith("StateEntered")) {
                transitions++;
            } else if (type.equals("LambdaFunctionStarted")) {
                invocations++;
                started.put(event.path("id").asLong(), at);
            } else if (type.equals("LambdaFunctionSucceeded") || type.equals("LambdaFunctionFailed")) {
                Double start = started.remove(event.path("previousEventId").asLong());
                if (start != null) {
                    seconds += Math.max(0.001, at - start);
                }
            }
        }
        assertTrue(invocations > 0 && transitions > invocations, "history of " + name + ": " + transitions + "/" + invocations);
        return new Cost(name, result.outcome(), transitions, invocations, seconds * MEMORY_GB);
    }
}
