package dev.pushdeploy.model;

import java.util.Map;

/**
 * A lifecycle hook's answer, in the shape ECS reads: {@code hookStatus} SUCCEEDED (the deployment
 * goes on), FAILED (ECS rolls it back) or IN_PROGRESS (ECS asks again after {@code callBackDelay}
 * seconds, passing {@code hookDetails} back).
 */
public record HookAnswer(String hookStatus, Integer callBackDelay, Map<String, String> hookDetails) {
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String IN_PROGRESS = "IN_PROGRESS";
}
