package dev.pushdeploy.handler;

import dev.pushdeploy.error.ConfigurationException;
import java.time.Duration;
import java.util.Optional;

/** Names of the environment variables the functions read, and a reader for them. */
public final class Env {
    /** Name of the SSM String parameter holding the configuration document. */
    public static final String CONFIG_PARAMETER = "CONFIG_PARAMETER";
    /** DynamoDB table for locks and deployment history. */
    public static final String TABLE_NAME = "TABLE_NAME";
    /** SNS topic that receives deployment outcomes. */
    public static final String TOPIC_ARN = "TOPIC_ARN";
    /** EventBridge bus that receives the outcome custom event. */
    public static final String EVENT_BUS_NAME = "EVENT_BUS_NAME";
    /**
     * Whole seconds: the RotateSecrets function's timeout, the longest one of its invocations may go on
     * after its execution ended; the reconciler keeps such a run's lock that long.
     */
    public static final String ROTATE_SECRETS_TIMEOUT_SECONDS = "ROTATE_SECRETS_TIMEOUT_SECONDS";
    /** Whole seconds: the StartDeployment function's timeout (its move may land after its execution ended). */
    public static final String START_DEPLOYMENT_TIMEOUT_SECONDS = "START_DEPLOYMENT_TIMEOUT_SECONDS";
    /** Whole seconds: the Rollback function's timeout (its move may land after its execution ended). */
    public static final String ROLLBACK_TIMEOUT_SECONDS = "ROLLBACK_TIMEOUT_SECONDS";

    /** The deployment workflow's state machine: a release's deployments and rollbacks are its executions. */
    public static final String DEPLOY_STATE_MACHINE_ARN = "DEPLOY_STATE_MACHINE_ARN";
    /** The release workflow's state machine (whether or not the stack has one): the reconciler tells its ends from the deployments'. */
    public static final String RELEASE_STATE_MACHINE_ARN = "RELEASE_STATE_MACHINE_ARN";

    private Env() {
    }

    /** Environment variable, else the system property of the same name (handlers run in process locally). */
    public static Optional<String> get(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    /** A required positive number of seconds. */
    public static Duration seconds(String name) {
        String value = require(name);
        try {
            long seconds = Long.parseLong(value);
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException notANumber) {
            // answered below
        }
        throw new ConfigurationException("environment variable " + name + " must be a positive number of seconds, not " + value);
    }

    /** The variable's value; a missing or blank one is a configuration error (final, never retried). */
    public static String require(String name) {
        return get(name).orElseThrow(() -> new ConfigurationException("environment variable " + name + " is not set or empty"));
    }
}
