package dev.pushdeploy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pushdeploy.ops.Json;
import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.bootstrap.StackOutputs;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.ecs.Throttling;
import dev.pushdeploy.local.run.RunResult;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Many services deploying at once on one local stack ({@code -Dbench.services=N}, 50 by default):
 * template.yaml with its second service's block repeated once per extra service
 * ({@link LocalRuntime.Options#services(int)}), so one cluster, one pipeline and one configuration
 * document with N targets, as the deployed stack would write it. ECS answers throttling as under
 * load (each call's first attempt, every 20th call on all attempts; a throttle that outlives a
 * check's retries watches again, it never rolls back): every deploy must end SUCCEEDED. The
 * runtime's start (moto, PostgreSQL, the bootstrap) with N services and with one, the runs' wall
 * and simulated time and how long after ECS reported each rollout's end its run held the verdict (the
 * detection lag of {@link CostPerDeployIT}; with rollouts this short most end before their run watches, so it
 * is mostly the steps' own time under throttling) are printed, not asserted, with the stack's size next to
 * AWS's quotas; also written to {@code target/bench/concurrency.txt}.
 */
class ConcurrencyBenchmarkIT {
    static final int SERVICES = Integer.getInteger("bench.services", 50);
    /**
     * Every n-th ECS call is throttled on all its attempts. One in 7 failed a step whose attempt makes five ECS calls
     * (RegisterTaskDefinition) on all seven attempts in about one run of 75: that measured the retry budget, not the
     * pipeline. One in 20 still fails about one attempt in five of such a step.
     */
    static final int EXHAUST_EVERY = 20;
    /** Simulated seconds of a healthy rollout: the shortest the simulator allows, the runs' wall time is the point. */
    static final double ROLLOUT_SECONDS = 2;
    /** The goal for detection: the workflow holds the verdict within 2 s of ECS reporting the final state. */
    static final double LAG_GOAL_SECONDS = 2;
    /** CloudFormation's quota of resources per stack. */
    static final int STACK_RESOURCES = 500;
    /** The largest value of a Standard-tier SSM parameter (the configuration parameter's tier). */
    static final int STANDARD_PARAMETER_CHARS = 4096;

    @Test
    void manyServicesDeployAtOnceUnderThrottling() throws IOException {
        Size two = Size.of(2);
        Size size = Size.of(SERVICES);
        LocalRuntime.Options options = new LocalRuntime.Options(TestRuntime.root(), line -> { }, null, false, Map.of());
        long oneStart = System.nanoTime();
        try (LocalRuntime one = LocalRuntime.start(options)) {
            assertEquals(1, one.stack().services().size());
        }
        double bootstrapOne = (System.nanoTime() - oneStart) / 1e9;
        long bootstrapStart = System.nanoTime();
        try (LocalRuntime runtime = LocalRuntime.start(options.services(SERVICES))) {
            double bootstrap = (System.nanoTime() - bootstrapStart) / 1e9;
            List<StackOutputs.Service> services = runtime.stack().services();
            assertEquals(SERVICES, services.size());
            assertEquals(SERVICES, runtime.stack().config().targets().size());
            List<String> inputs = new ArrayList<>();
            for (StackOutputs.Service service : services) {
                String digest = runtime.pushImage(service.target().repository(), "v1.1.0");
                inputs.add(Json.object().put("action", "deploy").put("service", service.target().serviceKey())
                        .put("image", service.target().repository() + "@" + digest).toString());
            }
            Throttling throttling = new Throttling(1, EXHAUST_EVERY);
            runtime.simulator().throttling(throttling);
            runtime.simulator().rolloutSeconds(ROLLOUT_SECONDS);
            long wallStart = System.nanoTime();
            long simulatedStart = runtime.clock().millis();
            List<LocalRuntime.Run> runs = inputs.stream()
                    .map(input -> runtime.start(input, Scenario.HEALTHY, null, line -> { })).toList();
            List<RunResult> results = runs.stream().map(LocalRuntime.Run::await).toList();
            double wall = (System.nanoTime() - wallStart) / 1e9;
            double simulated = (runtime.clock().millis() - simulatedStart) / 1000.0;

            Map<String, Double> lag = new TreeMap<>();
            results.forEach(r -> lag.put(r.service(), CostPerDeployIT.lagSeconds(r.history(), runtime.bus().published())));
            List<Map.Entry<String, Double>> lags = lag.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList();
            long late = lags.stream().filter(e -> e.getValue() > LAG_GOAL_SECONDS).count();
            Map<String, Long> outcomes = new TreeMap<>(results.stream()
                    .collect(Collectors.groupingBy(RunResult::outcome, Collectors.counting())));
            long right = outcomes.getOrDefault("SUCCEEDED", 0L);
            List<String> report = List.of(String.format(Locale.ROOT,
                    "%d services at once, ECS throttled (%d attempts): %d/%d SUCCEEDED %s; wall %.1f s, simulated %.1f s",
                    SERVICES, throttling.throttled(), right, SERVICES, outcomes, wall, simulated), String.format(Locale.ROOT,
                    "verdict after ECS reported the rollout's end (simulated): median %.2f s, max %.2f s (%s); %d of %d over %.0f s",
                    lags.get(lags.size() / 2).getValue(), lags.getLast().getValue(), lags.getLast().getKey(), late, lags.size(),
                    LAG_GOAL_SECONDS),
                    String.format(Locale.ROOT,
                    "runtime started with the %d-service stack: %.1f s (with one service: %.1f s); on AWS: %d resources (CloudFormation's quota %d per stack: about %d"
                            + " services), configuration document %d characters (the Standard-tier parameter holds %d: about %d)",
                    SERVICES, bootstrap, bootstrapOne, size.resources(), STACK_RESOURCES, two.fitting(size, STACK_RESOURCES, Size::resources),
                    size.document(), STANDARD_PARAMETER_CHARS, two.fitting(size, STANDARD_PARAMETER_CHARS, Size::document)));
            Files.write(Files.createDirectories(Path.of("target", "bench")).resolve("concurrency.txt"), report);
            report.forEach(System.out::println);
            assertEquals(SERVICES, right, results.stream().filter(r -> !r.outcome().equals("SUCCEEDED"))
                    .map(r -> r.service() + " " + r.outcome() + ": " + r.reason()).toList().toString());
        }
    }

    /** The stack of template.yaml with that many services as CloudFormation would create it: its resources, its configuration document. */
    record Size(int services, long resources, int document) {
        /** Ids AWS assigns that the document holds, as long as AWS's. */
        static final Map<String, String> AWS_IDS = Map.of("Key.Arn", "arn:aws:kms:us-east-1:123456789012:key/"
                + "1234abcd-12ab-34cd-56ef-1234567890ab", "Database.Endpoint.Address",
                "pushdeploy-database-1a2b3c4d5e6f.c9akciq32.us-east-1.rds.amazonaws.com", "Database.Endpoint.Port", "5432");

        static Size of(int services) {
            PipelineTemplate stack = PipelineTemplate.expand(TestRuntime.root().resolve("template.yaml"), Map.of(), services)
                    .deploy(name -> java.util.Optional.of("none"), PipelineTemplate.localNames().bind(AWS_IDS).withPlaceholders());
            Deployment deployment = stack.deployment();
            return new Size(services, deployment.template().resources().keySet().stream().filter(deployment::exists).count(),
                    stack.configDocument().orElseThrow().length());
        }

        /** How many services fit under {@code limit}, each beyond this stack's adding what those of {@code more} add. */
        int fitting(Size more, long limit, java.util.function.ToLongFunction<Size> measure) {
            double each = (double) (measure.applyAsLong(more) - measure.applyAsLong(this)) / (more.services - services);
            return services + (int) Math.floor((limit - measure.applyAsLong(this)) / each);
        }
    }
}
