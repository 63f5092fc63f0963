package dev.pushdeploy.local.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.local.LocalRuntime;
import dev.pushdeploy.local.TestRuntime;
import dev.pushdeploy.local.e2e.Workflow;
import dev.pushdeploy.local.ecs.Scenario;
import dev.pushdeploy.local.run.RunResult;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Runtimes one after another in one JVM (as the CLI's tests and the benchmarks use them): the
 * functions' SDK clients, built once per JVM by the first runtime's runs, still reach the second
 * runtime; a second runtime while one runs is refused, naming why, and leaves the first working.
 */
class RuntimesInOneJvmIT {
    private static final LocalRuntime.Options OPTIONS = new LocalRuntime.Options(TestRuntime.root(), line -> { });

    @Test
    void aSecondRuntimeAfterTheFirstClosedDeploysThroughTheSameClients() {
        URI first;
        try (LocalRuntime runtime = LocalRuntime.start(OPTIONS)) {
            first = runtime.endpoint();
            Workflow workflow = new Workflow(runtime);
            assertEquals("SUCCEEDED", workflow.push("v1.1.0", Scenario.HEALTHY).outcome());

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalRuntime.start(OPTIONS));
            assertTrue(refused.getMessage().contains("already running in this JVM"), refused.getMessage());
            RunResult stillServed = workflow.push("v1.2.0", Scenario.HEALTHY);
            assertEquals("SUCCEEDED", stillServed.outcome(), stillServed.reason());
        }
        try (LocalRuntime runtime = LocalRuntime.start(OPTIONS)) {
            assertEquals(first, runtime.endpoint());
            Workflow workflow = new Workflow(runtime);
            RunResult result = workflow.push("v1.1.0", Scenario.CRASH_LOOP);
            assertEquals("ROLLED_BACK", result.outcome(), result.reason());
        }
    }
}
