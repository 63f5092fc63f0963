package dev.pushdeploy.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.handler.Env;
import dev.pushdeploy.ledger.LockService;
import dev.pushdeploy.ledger.Reconciler;
import dev.pushdeploy.local.template.Deployment;
import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every environment variable a handler's production constructor reads is set for its function by
 * the template: each handler is built with exactly the template's variables (Globals + its own,
 * plus the region Lambda provides) and must not fail; taking away any one of its own variables
 * must fail naming it, so the template sets nothing the code does not read (those every function
 * gets from the Globals, CONFIG_PARAMETER and the JVM's JAVA_TOOL_OPTIONS, go to every function by design).
 */
class EnvironmentTest {
    /** With a second service, so that every function exists (the release planner comes with it). */
    private static final Deployment STACK = Deployments.withRelease(Map.of("SecondServiceName", "api", "EnableScanGate", "true"), "none");

    static Set<String> functions() {
        return Repo.FUNCTIONS.keySet();
    }

    private static Object construct(String function, Map<String, String> variables) throws Exception {
        Map<String, String> properties = new HashMap<>(variables);
        properties.put("aws.region", "us-east-1");
        String handler = STACK.properties(function).path("Handler").asText().split("::")[0];
        Class<?> type = Class.forName(handler);
        return FunctionEnvironment.with(properties, () -> type.getConstructor().newInstance());
    }

    @ParameterizedTest
    @MethodSource("functions")
    void theTemplatesVariablesAreEnoughAndAllUsed(String function) throws Exception {
        Map<String, String> variables = FunctionEnvironment.of(STACK, function);
        assertTrue(variables.containsKey(Env.CONFIG_PARAMETER), function + " gets CONFIG_PARAMETER");
        Set<String> known = new TreeSet<>(FunctionEnvironment.declared());
        known.addAll(FunctionEnvironment.JVM);
        assertTrue(known.containsAll(variables.keySet()),
                function + " sets only variables the code declares in Env or the JVM reads: " + variables.keySet());

        assertNotNull(construct(function, variables));

        Set<String> global = new TreeSet<>(variables.keySet());
        functions().forEach(other -> global.retainAll(FunctionEnvironment.of(STACK, other).keySet()));
        for (String variable : variables.keySet()) {
            if (global.contains(variable)) {
                continue;
            }
            Map<String, String> without = new HashMap<>(variables);
            without.remove(variable);
            InvocationTargetException failure = assertThrows(InvocationTargetException.class, () -> construct(function, without),
                    function + " is built without " + variable + ": the template sets a variable the handler does not read");
            assertTrue(String.valueOf(failure.getCause().getMessage()).contains(variable), failure.getCause().toString());
        }
    }

    @Test
    void theFixedVariablesGoWhereTheBriefSays() {
        Set<String> closer = Set.of("CONFIG_PARAMETER", "TABLE_NAME", "TOPIC_ARN", "EVENT_BUS_NAME");
        Map<String, Set<String>> expected = Map.ofEntries(
                Map.entry("PrepareFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("LockFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("StartDeploymentFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("CheckDeploymentFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("RolloutEventsFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("ScanGateFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("ScanEventsFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("RollbackFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("LifecycleHookFunction", Set.of("CONFIG_PARAMETER", "TABLE_NAME")),
                Map.entry("FinalizeFunction", closer),
                Map.entry("ReconcileFunction", Stream.concat(closer.stream(), Stream.of("ROTATE_SECRETS_TIMEOUT_SECONDS",
                        "START_DEPLOYMENT_TIMEOUT_SECONDS", "ROLLBACK_TIMEOUT_SECONDS", "DEPLOY_STATE_MACHINE_ARN", "RELEASE_STATE_MACHINE_ARN"))
                        .collect(Collectors.toSet())));
        Set<String> jvmOptions = new TreeSet<>();
        for (String function : Repo.FUNCTIONS.keySet()) {
            Map<String, String> variables = FunctionEnvironment.of(STACK, function);
            Set<String> read = new TreeSet<>(expected.getOrDefault(function, Set.of("CONFIG_PARAMETER")));
            read.addAll(FunctionEnvironment.JVM);
            assertEquals(read, new TreeSet<>(variables.keySet()), function);
            jvmOptions.add(variables.get(FunctionEnvironment.JAVA_TOOL_OPTIONS));
        }
        assertEquals(1, jvmOptions.size(), "every function's JVM starts with the same options: " + jvmOptions);
    }

    /**
     * The reconciler keeps the lock of a run stopped in RotateSecrets, StartDeployment or Rollback for that
     * function's timeout: each pair must agree, and the Lock step's own take-over of an ended holder must not
     * come sooner.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"RotateSecretsFunction, ROTATE_SECRETS_TIMEOUT_SECONDS", "StartDeploymentFunction, START_DEPLOYMENT_TIMEOUT_SECONDS",
            "RollbackFunction, ROLLBACK_TIMEOUT_SECONDS"})
    void theReconcilerKnowsHowLongAStepCanOutliveItsRun(String function, String variable) {
        int timeout = STACK.properties(function).path("Timeout").asInt();
        assertTrue(timeout > 0, function + " has a timeout");
        assertEquals(String.valueOf(timeout), FunctionEnvironment.of(STACK, "ReconcileFunction").get(variable));
        assertTrue(timeout + Reconciler.KEEP_MARGIN.toSeconds() < LockService.RECLAIM_AFTER_SECONDS,
                "a waiter takes an ended holder's lock over only after any step of it has ended");
    }

    /** The reconciler tells a release's end from a deployment's by the state machines' ARNs, as the stack names them. */
    @Test
    void theReconcilerKnowsBothStateMachines() {
        Map<String, String> variables = FunctionEnvironment.of(STACK, "ReconcileFunction");
        assertEquals(STACK.ref("StateMachine"), variables.get("DEPLOY_STATE_MACHINE_ARN"));
        assertEquals(STACK.ref("ReleaseStateMachine"), variables.get("RELEASE_STATE_MACHINE_ARN"));
        assertNotEquals(variables.get("DEPLOY_STATE_MACHINE_ARN"), variables.get("RELEASE_STATE_MACHINE_ARN"));
    }
}
