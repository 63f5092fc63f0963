package dev.pushdeploy.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deployed pipeline keeps its parts, from its stack's outputs: the state machine, the
 * deployment table (locks, queue, history) and the configuration document.
 */
public record Pipeline(String stack, String stateMachineArn, String table, String configParameter, Map<String, String> outputs) {
    static final String STATE_MACHINE = "StateMachineArn";
    static final String TABLE = "DeploymentTableName";
    static final String CONFIG = "ConfigParameterName";
    /** Only a stack with a second service has a release state machine. */
    public static final String RELEASE_STATE_MACHINE = "ReleaseStateMachineArn";
    /** The stack outputs the CLI reads (template.yaml declares them). */
    public static final List<String> OUTPUTS = List.of(STATE_MACHINE, TABLE, CONFIG);

    public Pipeline {
        outputs = Map.copyOf(outputs);
    }

    /**
     * The pipeline of stack {@code stack}, from its outputs.
     *
     * @throws IllegalArgumentException when an output the CLI needs is missing (not a pushdeploy stack)
     */
    public static Pipeline of(String stack, Map<String, String> outputs) {
        List<String> missing = OUTPUTS.stream()
                .filter(key -> outputs.get(key) == null || outputs.get(key).isBlank()).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("stack " + stack + " has no output " + String.join(", ", missing)
                    + ": is it a pushdeploy stack (template.yaml)? Name it with --stack NAME");
        }
        return new Pipeline(stack, outputs.get(STATE_MACHINE), outputs.get(TABLE), outputs.get(CONFIG), outputs);
    }

    /**
     * The release state machine (several images, all live or none).
     *
     * @throws IllegalArgumentException when the stack has none (it deploys one service)
     */
    public String releaseStateMachineArn() {
        String arn = outputs.get(RELEASE_STATE_MACHINE);
        if (arn == null || arn.isBlank()) {
            throw new IllegalArgumentException("stack " + stack + " has no output " + RELEASE_STATE_MACHINE
                    + ": releases need a second service (template parameter SecondServiceName)");
        }
        return arn;
    }

    /** The ARN of the execution named {@code name} of this pipeline's state machine. */
    public String executionArn(String name) {
        return executionArn(stateMachineArn, name);
    }

    /** The ARN of the release named {@code name} (its release state machine's execution); empty when the stack has no releases. */
    public Optional<String> releaseExecutionArn(String name) {
        return releaseStateMachineArnIfAny().map(arn -> executionArn(arn, name));
    }

    /** The release state machine's ARN; empty when the stack has no releases. */
    public Optional<String> releaseStateMachineArnIfAny() {
        String arn = outputs.get(RELEASE_STATE_MACHINE);
        return arn == null || arn.isBlank() ? Optional.empty() : Optional.of(arn);
    }

    /** Whether {@code executionArn} is an execution of this pipeline's state machines (a run's or a release's). */
    public boolean owns(String executionArn) {
        return executionArn.startsWith(executionArn(stateMachineArn, "")) || isRelease(executionArn);
    }

    /** Whether {@code executionArn} is a release's (an execution of the release state machine). */
    public boolean isRelease(String executionArn) {
        return releaseExecutionArn("").filter(executionArn::startsWith).isPresent();
    }

    private static String executionArn(String stateMachineArn, String name) {
        return stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }
}
